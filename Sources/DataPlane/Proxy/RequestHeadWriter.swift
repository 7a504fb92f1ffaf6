import NIOCore

/// Writes the request head sent upstream: the client's fields minus hop-by-hop ones, the original Host, and the
/// forwarding headers ingress-nginx sets (`X-Request-ID`, `X-Real-IP`, `X-Forwarded-For/-Host/-Port/-Proto/-Scheme`,
/// `X-Scheme`). Field bytes are copied as received; nothing is decoded into Strings. Runs of fields that are
/// forwarded unchanged are copied in one piece.
enum RequestHeadWriter {
    /// How the request body is framed upstream.
    enum BodyFraming: Equatable {
        /// No body.
        case none
        /// `Content-Length: n`.
        case contentLength(Int)
        /// `Transfer-Encoding: chunked` (the proxy re-frames the decoded chunks).
        case chunked
    }

    /// The upstream head for the client's `head`; `target` replaces the request target when rewritten. `bound` is
    /// the memory reserved for it, ``maximumByteCount(_:target:forwarding:)`` unless given; should the head not fit,
    /// it is written again with twice the bound (slower, never wrong). `memory`, an earlier head no longer needed
    /// (or nil), is taken and written into: its memory is reused when nothing else holds it.
    static func make(
        _ head: HTTP1Head,
        target: String?,
        framing: BodyFraming,
        upgrade: Bool = false,
        requestID: RequestID,
        forwarding: ForwardingContext,
        bound: Int? = nil,
        reusing memory: inout ByteBuffer?
    ) -> ByteBuffer {
        let bound = bound ?? maximumByteCount(head, target: target, forwarding: forwarding)
        let written = ByteBuffer(writingFrom: head, bound: bound, reusing: &memory) { source, out in
            write(
                head, source, target: target, framing: framing, upgrade: upgrade, requestID: requestID, forwarding: forwarding, into: &out)
        }
        if let written { return written }
        var none: ByteBuffer? = nil
        return make(
            head, target: target, framing: framing, upgrade: upgrade, requestID: requestID, forwarding: forwarding, bound: 2 * bound,
            reusing: &none)
    }

    /// At least as many bytes as the upstream head takes. Every piece copied from the received head is a distinct
    /// part of it, except values sent more than once: the Host value (`Host` and `X-Forwarded-Host`) and, with
    /// trusted forwarding headers, the client's `X-Forwarded-For` (also the source of `X-Real-IP`) and
    /// `X-Forwarded-Proto` (also `-Scheme` and `X-Scheme`). The rest is the rewritten target, the peer's address and
    /// scheme or the fixed forwarding lines, and at most 320 bytes of names, numbers and the request ID.
    static func maximumByteCount(_ head: HTTP1Head, target: String?, forwarding: ForwardingContext) -> Int {
        let size = head.bytes.readableBytes
        let fixed = (target?.utf8.count ?? 0) + 320
        if forwarding.trustForwardedHeaders {
            return 5 * size + 2 * forwarding.clientAddress.utf8.count + 3 * forwarding.scheme.utf8.count + fixed
        }
        return 2 * size + forwarding.fixedTail.readableBytes + fixed
    }

    private static func write(
        _ head: HTTP1Head,
        _ source: UnsafeRawBufferPointer,
        target: String?,
        framing: BodyFraming,
        upgrade: Bool,
        requestID: RequestID,
        forwarding: ForwardingContext,
        into out: inout HeadByteWriter
    ) {
        if let target {
            out.write(source, head.methodRange.lowerBound..<head.methodRange.upperBound + 1)
            out.write(target)
        } else {
            out.write(source, head.methodRange.lowerBound..<head.targetRange.upperBound)
        }
        out.write(" HTTP/1.1\r\nHost: ")
        if let hostIndex = head.hostIndex { out.write(source, head.headers[hostIndex].value) }
        out.write("\r\n")

        var clientForwardedFor: Int?
        var clientHost: Int?
        var clientPort: Int?
        var clientProto: Int?
        var run = FieldLineRun()
        let checkNominated = !head.connectionTokens.others.isEmpty
        for index in head.headers.indices {
            let field = head.headers[index]
            var forward = false
            switch field.kind {
            case .upgrade where upgrade:
                forward = true
            case .host, .contentLength, .expect, .xRealIP, .xRequestID:
                break
            case .xForwardedFor:
                if clientForwardedFor == nil { clientForwardedFor = index }
            case .xForwardedHost:
                if clientHost == nil { clientHost = index }
            case .xForwardedPort:
                if clientPort == nil { clientPort = index }
            case .xForwardedProto:
                if clientProto == nil { clientProto = index }
            case _ where field.kind.isHopByHop:
                break
            default:
                forward = !(checkNominated && head.isNominatedByConnection(index))
            }
            run.add(field, forward: forward, from: source, into: &out)
        }
        run.finish(source, into: &out)

        out.write("X-Request-ID: ")
        requestID.write(from: head, source, into: &out)
        out.write("\r\nX-Forwarded-Host: ")
        if forwarding.trustForwardedHeaders, let index = clientHost {
            out.write(source, head.headers[index].value)
        } else if let hostIndex = head.hostIndex {
            out.write(source, head.headers[hostIndex].value)
        }
        out.write("\r\n")
        if forwarding.trustForwardedHeaders {
            writeTrusted(
                head, source, forwardedFor: clientForwardedFor, port: clientPort, proto: clientProto, forwarding: forwarding, into: &out)
        } else {
            out.write(forwarding.fixedTail)
        }
        if upgrade { out.write("Connection: upgrade\r\n") }
        switch framing {
        case .none: break
        case .contentLength(let length):
            out.write("Content-Length: ")
            out.write(decimal: length)
            out.write("\r\n")
        case .chunked:
            out.write("Transfer-Encoding: chunked\r\n")
        }
        out.write("\r\n")
    }

    /// The forwarding lines when client-sent values are trusted (`--use-forwarded-headers`): `X-Forwarded-For`
    /// appends the peer, `X-Real-IP` is the first address, port and proto are kept when sent.
    private static func writeTrusted(
        _ head: HTTP1Head,
        _ source: UnsafeRawBufferPointer,
        forwardedFor: Int?,
        port: Int?,
        proto: Int?,
        forwarding: ForwardingContext,
        into out: inout HeadByteWriter
    ) {
        out.write("X-Real-IP: ")
        if let index = forwardedFor {
            let value = head.valueString(at: index)
            let first = value.split(separator: ",", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t") } ?? ""
            out.write(first.isEmpty ? forwarding.clientAddress : first)
        } else {
            out.write(forwarding.clientAddress)
        }
        out.write("\r\nX-Forwarded-For: ")
        if let index = forwardedFor {
            out.write(source, head.headers[index].value)
            out.write(", ")
        }
        out.write(forwarding.clientAddress)
        out.write("\r\nX-Forwarded-Port: ")
        if let index = port { out.write(source, head.headers[index].value) } else { out.write(decimal: forwarding.listenerPort) }
        let scheme = proto.map { head.valueString(at: $0) } ?? forwarding.scheme
        out.write("\r\nX-Forwarded-Proto: ")
        out.write(scheme)
        out.write("\r\nX-Forwarded-Scheme: ")
        out.write(scheme)
        out.write("\r\nX-Scheme: ")
        out.write(scheme)
        out.write("\r\n")
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// Copies forwarded field lines in runs: consecutive fields that are forwarded unchanged and sit next to each other
/// in the received head (nothing but CRLF between them) are copied as one piece.
struct FieldLineRun {
    private var run: Range<Int>?

    /// Adds the next field in order; `forward` says whether it is copied from `source`, the head's bytes.
    mutating func add(_ field: HTTP1HeaderField, forward: Bool, from source: UnsafeRawBufferPointer, into out: inout HeadByteWriter) {
        guard forward else {
            finish(source, into: &out)
            return
        }
        if let current = run, field.name.lowerBound - current.upperBound == 2 {
            // The value ended right before CRLF (no trailing whitespace): the two lines are contiguous.
            run = current.lowerBound..<field.value.upperBound
        } else {
            finish(source, into: &out)
            run = field.name.lowerBound..<field.value.upperBound
        }
    }

    /// Copies the pending run, ending it with CRLF.
    mutating func finish(_ source: UnsafeRawBufferPointer, into out: inout HeadByteWriter) {
        guard let current = run else { return }
        out.write(source, current)
        out.write("\r\n")
        run = nil
    }
}
