import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

#if canImport(HTTP1)
    @testable import HTTP1
#else
    @testable import DataPlane
#endif

/// Differential tests of the request parser against the reference: SwiftNIO's `HTTPRequestDecoder` (llhttp), the
/// typed path a plain NIO proxy would use. Seeded random requests, well-formed and then mutated the ways request
/// smuggling and sloppy clients do, go through both. Every message the parser accepts must be read by the
/// reference exactly the same way (method, target, version, fields, body, trailers): the proxy never forwards a
/// message a conforming reader would frame differently. The parser may refuse more than the reference (it is
/// stricter by design), but never a well-formed request. Each input is also fed byte by byte and at random splits,
/// which must not change the outcome.
@Suite struct HTTP1ReferenceTests {
    /// A small, fast, seedable generator (SplitMix64), so a failing case can be replayed from its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One message as both readers are compared on.
    struct Message: Equatable, CustomStringConvertible {
        var method: String
        var target: String
        var version: String
        var fields: [[String]]
        var body: [UInt8]
        var trailers: [[String]]

        var description: String {
            "\(method) \(target) \(version) fields=\(fields) body=\(body.count)B trailers=\(trailers)"
        }
    }

    /// What a reader made of one input: the complete messages, and whether it stopped on an error.
    struct Reading: CustomStringConvertible {
        var messages: [Message] = []
        /// Ours only: whether each message keeps the connection open.
        var keepAlive: [Bool] = []
        var failed = false
        /// Why it stopped (ours only).
        var error = ""
        var description: String { "\(messages)\(failed ? " then an error \(error)" : "")" }
    }

    // MARK: - Generating requests

    static let methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    /// Methods llhttp knows (those a mutation can turn a generated method into are what matters here).
    static let referenceMethods: Set<String> = Set(
        methods + [
            "CONNECT", "TRACE", "PURGE", "PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "ACL", "BIND", "LINK",
            "UNLINK", "SOURCE", "QUERY",
        ])
    static let tokenBytes = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~".utf8)
    static let pathBytes = Array("abcdefghijklmnopqrstuvwxyz0123456789-._~%/=:@!$&'()*+,;".utf8)
    static let valueBytes = Array(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".utf8)

    static func pick<T>(_ items: [T], _ rng: inout SplitMix) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    static func text(_ alphabet: [UInt8], _ length: ClosedRange<Int>, _ rng: inout SplitMix) -> String {
        String(decoding: (0..<Int.random(in: length, using: &rng)).map { _ in pick(alphabet, &rng) }, as: UTF8.self)
    }

    /// A field value: visible characters with inner spaces and tabs, optional whitespace around it.
    static func value(_ rng: inout SplitMix) -> String {
        var core = text(valueBytes, 0...24, &rng)
        while let last = core.utf8.last, last == 0x20 || last == 0x09 { core.removeLast() }
        while let first = core.utf8.first, first == 0x20 || first == 0x09 { core.removeFirst() }
        let before = pick(["", "", " ", "\t", "  "], &rng)
        let after = pick(["", "", " ", "\t"], &rng)
        return before + core + after
    }

    /// One well-formed request.
    static func request(_ rng: inout SplitMix) -> String {
        let method = pick(methods, &rng)
        var target = "/" + text(pathBytes.filter { $0 != UInt8(ascii: "%") }, 0...20, &rng)
        if Bool.random(using: &rng) {
            target += "?" + text(pathBytes.filter { $0 != UInt8(ascii: "%") } + [UInt8(ascii: "?")], 0...12, &rng)
        }
        let version = Int.random(in: 0..<8, using: &rng) == 0 ? "HTTP/1.0" : "HTTP/1.1"
        var lines = ["\(method) \(target) \(version)", "Host: " + pick(["a.example", "b.example:8080", "x"], &rng)]
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            var name = text(tokenBytes, 1...12, &rng)
            let lower = name.lowercased()
            // Framing and connection fields are chosen below, not at random.
            if ["content-length", "transfer-encoding", "host", "connection", "upgrade", "expect", "te", "trailer"].contains(lower) {
                name = "X-" + name
            }
            lines.append(name + ":" + value(&rng))
        }
        var body = ""
        // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request means faulty framing (refused), so only 1.1 chunks.
        switch Int.random(in: 0..<(version == "HTTP/1.0" ? 2 : 3), using: &rng) {
        case 0:
            break
        case 1:
            body = text(valueBytes, 0...40, &rng)
            lines.append("Content-Length: \(body.utf8.count)")
        default:
            lines.append("Transfer-Encoding: chunked")
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let chunk = text(valueBytes, 1...20, &rng)
                let size = String(chunk.utf8.count, radix: 16, uppercase: Bool.random(using: &rng))
                body += size + (Bool.random(using: &rng) ? "" : ";ext=1") + "\r\n" + chunk + "\r\n"
            }
            body += "0\r\n"
            if Bool.random(using: &rng) { body += "X-Checksum: " + text(tokenBytes, 1...8, &rng) + "\r\n" }
            body += "\r\n"
        }
        return lines.map { $0 + "\r\n" }.joined() + "\r\n" + body
    }

    /// Damages a request the ways smuggling and broken clients do.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var bytes = input
        let headEnd = firstRange(of: Array("\r\n\r\n".utf8), in: bytes)?.lowerBound ?? bytes.count
        let insertions: [String] = [
            "Content-Length: 5\r\n", "Content-Length: 0\r\n", "Content-Length: +3\r\n", "Content-Length: 3, 4\r\n",
            "Content-Length: 1_0\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
            "Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding : chunked\r\n", "Transfer-Encoding:\tchunked\r\n",
            " folded continuation\r\n", "\tfolded\r\n", "Host: other\r\n", "X: a\rb\r\n", "X: a\0b\r\n", "Bad Name: x\r\n",
            ": empty-name\r\n", "X:\u{7f}\r\n", "Transfer-Encoding: identity\r\n", "Content-Length: 99999999999999999999\r\n",
        ]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0:  // a field line spliced into the head, after the request line
                let lineEnds = lineStarts(bytes, before: headEnd)
                if let at = lineEnds.randomElement(using: &rng) { bytes.insert(contentsOf: Array(pick(insertions, &rng).utf8), at: at) }
            case 1:  // one byte from a dangerous set, anywhere
                let special: [UInt8] = [0, 0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x2C, 0x3B, 0x7F, 0x80, 0xFF, UInt8(ascii: "x")]
                bytes.insert(pick(special, &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            case 2:  // one byte removed
                if !bytes.isEmpty { bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng)) }
            case 3:  // a CRLF turned into a bare LF or a bare CR
                let ends = (0..<max(0, bytes.count - 1)).filter { bytes[$0] == 0x0D && bytes[$0 + 1] == 0x0A }
                if let at = ends.randomElement(using: &rng) {
                    if Bool.random(using: &rng) { bytes.remove(at: at) } else { bytes.remove(at: at + 1) }
                }
            case 4:  // a chunk size rewritten
                let sizes = ["0x5", " 5", "5 ", "-1", "FFFFFFFFFFFFFFFFFF", "g", ""]
                if let at = firstRange(of: Array("\r\n\r\n".utf8), in: bytes)?.upperBound, at < bytes.count {
                    let end = bytes[at...].firstIndex(of: 0x0D) ?? bytes.count
                    bytes.replaceSubrange(at..<min(end, bytes.count), with: Array(pick(sizes, &rng).utf8))
                }
            case 5:  // the version or method damaged
                let replacements = [
                    ("HTTP/1.1", "HTTP/1.2"), ("HTTP/1.1", "HTTP/2.0"), ("HTTP/1.1", "http/1.1"), ("GET ", "GET  "), ("GET", "G\u{1}T"),
                ]
                let (from, to) = pick(replacements, &rng)
                if let range = firstRange(of: Array(from.utf8), in: bytes) { bytes.replaceSubrange(range, with: Array(to.utf8)) }
            default:  // truncated
                if !bytes.isEmpty { bytes.removeLast(Int.random(in: 1...min(8, bytes.count), using: &rng)) }
            }
        }
        return bytes
    }

    /// Offsets just after each CRLF before `limit` (where a field line may start).
    static func lineStarts(_ bytes: [UInt8], before limit: Int) -> [Int] {
        (1..<max(1, min(limit, bytes.count))).filter { bytes[$0 - 1] == 0x0A }
    }

    static func firstRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard needle.count <= bytes.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<start + needle.count].elementsEqual(needle) {
            return start..<start + needle.count
        }
        return nil
    }

    // MARK: - Reading

    /// The messages our parser reads from `bytes` fed as `chunks`.
    static func ours(_ chunks: [ArraySlice<UInt8>]) -> Reading {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer()
        var reading = Reading()
        var current: Message?
        for chunk in chunks {
            buffer.writeBytes(chunk)
            for _ in 0..<100_000 {
                switch parser.next(&buffer) {
                case .needMoreData:
                    break
                case .head(let head):
                    reading.keepAlive.append(head.keepAlive)
                    let fields = head.headers.indices.map { [head.nameString(at: $0), head.valueString(at: $0)] }
                    current = Message(
                        method: head.method, target: head.target, version: head.version == .http1_0 ? "HTTP/1.0" : "HTTP/1.1",
                        fields: fields, body: [], trailers: [])
                    continue
                case .body(let body):
                    current?.body += Array(body.readableBytesView)
                    continue
                case .trailers(let trailers):
                    current?.trailers = trailers.headers.indices.map { [trailers.nameString(at: $0), trailers.valueString(at: $0)] }
                    continue
                case .end:
                    if let message = current { reading.messages.append(message) }
                    current = nil
                    continue
                case .error(let error):
                    reading.failed = true
                    reading.error = "\(error.kind)"
                    return reading
                }
                break
            }
        }
        return reading
    }

    /// The messages NIO's `HTTPRequestDecoder` reads from `bytes`.
    static func reference(_ bytes: [UInt8]) -> Reading {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        var reading = Reading()
        do {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        } catch {
            reading.failed = true
        }
        var current: Message?
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
            switch part {
            case .head(let head):
                current = Message(
                    method: head.method.rawValue, target: head.uri, version: "HTTP/\(head.version.major).\(head.version.minor)",
                    fields: head.headers.map { [$0.name, Self.trimmed($0.value)] }, body: [], trailers: [])
            case .body(let body):
                current?.body += Array(body.readableBytesView)
            case .end(let trailers):
                current?.trailers = trailers.map { $0.map { [$0.name, Self.trimmed($0.value)] } } ?? []
                if let message = current { reading.messages.append(message) }
                current = nil
            }
        }
        return reading
    }

    /// A value without trailing whitespace: RFC 9110 §5.5 excludes it from the field value, and the reference
    /// leaves it in (a known difference of representation, not of framing).
    static func trimmed(_ value: String) -> String {
        var value = value
        while let last = value.utf8.last, last == 0x20 || last == 0x09 { value.removeLast() }
        return value
    }

    /// Where the reference refuses what HTTP allows, or what the proxy refuses after parsing: llhttp knows a fixed
    /// list of methods (RFC 9110 allows any token); it refuses bytes above 0x7F in the target (nginx passes them
    /// on, and so does the proxy); it refuses whitespace between a chunk size and its extension (RFC 9112 §7.1.1
    /// allows it as BWS; the proxy re-frames the body it forwards, so no reader downstream sees the original);
    /// and a target in none of the forms of RFC 9112 §3.2 is parsed here and answered 400 by the proxy.
    static func referenceIsStricter(_ message: Message, input: [UInt8]) -> Bool {
        if !referenceMethods.contains(message.method) || message.target.utf8.contains(where: { $0 >= 0x80 }) { return true }
        if message.target.utf8.first != UInt8(ascii: "/") && !message.target.contains("://") && message.target != "*" { return true }
        let lines = input.split(separator: 0x0A)
        return lines.contains { line in
            let digits = line.prefix { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
            let rest = line.dropFirst(digits.count)
            let blanks = rest.prefix { $0 == 0x20 || $0 == 0x09 }
            return !digits.isEmpty && !blanks.isEmpty && rest.dropFirst(blanks.count).first == UInt8(ascii: ";")
        }
    }

    // MARK: - Tests

    /// Compares both readers on one input; returns a failure description, or nil when they agree.
    static func compare(_ bytes: [UInt8], expectAccepted: Bool, rng: inout SplitMix) -> String? {
        let mine = ours([bytes[...]])
        let theirs = reference(bytes)
        let shown = String(decoding: bytes, as: UTF8.self).debugDescription
        // The reference refuses bytes after a message that does not keep the connection alive.
        let lastKept = mine.keepAlive.firstIndex(of: false).map { $0 + 1 } ?? mine.messages.count
        if expectAccepted && (mine.failed || (theirs.failed && theirs.messages.count < lastKept)) {
            return "a well-formed request was refused: ours \(mine), reference \(theirs) for \(shown)"
        }
        for (index, message) in mine.messages.enumerated() {
            guard index < theirs.messages.count else {
                if theirs.failed && Self.referenceIsStricter(message, input: bytes) { break }
                return "message \(index) accepted here but not read by the reference (\(theirs)) for \(shown)"
            }
            if theirs.messages[index] != message {
                return "message \(index) read differently: ours \(message), reference \(theirs.messages[index]) for \(shown)"
            }
            // The connection ends after a message that does not keep it alive (the proxy closes it; the reference
            // refuses further bytes): what follows is never read.
            if !mine.keepAlive[index] { break }
        }
        // Splitting the input never changes what is read.
        let byteAtATime = ours(bytes.indices.map { bytes[$0...$0] })
        let split = Int.random(in: 0...bytes.count, using: &rng)
        let twoPieces = ours([bytes[..<split], bytes[split...]])
        for other in [byteAtATime, twoPieces] where other.messages != mine.messages || other.failed != mine.failed {
            return "the outcome depends on how the input is split: whole \(mine), split \(other) for \(shown)"
        }
        return nil
    }

    @Test("well-formed requests (single and pipelined) are read exactly as the reference reads them", arguments: 0..<4)
    func wellFormed(seed: UInt64) {
        var rng = SplitMix(state: 0x5EED_0000 + seed)
        var failures: [String] = []
        for _ in 0..<400 {
            let count = Int.random(in: 1...3, using: &rng)
            let bytes = Array((0..<count).map { _ in Self.request(&rng) }.joined().utf8)
            if let failure = Self.compare(bytes, expectAccepted: true, rng: &rng) { failures.append(failure) }
            if failures.count >= 3 { break }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("damaged requests: whatever is accepted is read exactly as the reference reads it", arguments: 0..<8)
    func damaged(seed: UInt64) {
        var rng = SplitMix(state: 0xBAD_0000 + seed)
        var failures: [String] = []
        var refusedByBoth = 0
        var refusedOnlyHere = 0
        for _ in 0..<500 {
            let count = Int.random(in: 1...2, using: &rng)
            let clean = Array((0..<count).map { _ in Self.request(&rng) }.joined().utf8)
            let bytes = Self.mutate(clean, &rng)
            if let failure = Self.compare(bytes, expectAccepted: false, rng: &rng) { failures.append(failure) }
            let mine = Self.ours([bytes[...]])
            let theirs = Self.reference(bytes)
            if mine.failed && theirs.failed { refusedByBoth += 1 }
            if mine.failed && !theirs.failed { refusedOnlyHere += 1 }
            if failures.count >= 3 { break }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // The mutations do reach the refusal paths (a generator that only made valid input would prove nothing).
        #expect(refusedByBoth + refusedOnlyHere > 100, "only \(refusedByBoth + refusedOnlyHere) of 500 damaged inputs were refused")
    }
}
