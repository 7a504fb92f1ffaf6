import NIOCore

/// Writes the request head sent upstream: the client's fields minus hop-by-hop ones, the original Host, and the
/// forwarding headers ingress-nginx sets (`X-Request-ID`, `X-Real-IP`, `X-Forwarded-For/-Host/-Port/-Proto/-Scheme`,
/// `X-Scheme`). Field bytes are copied as received; nothing is decoded into Strings.
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

    /// Appends the upstream head for `head` to `out`; `target` replaces the request target when rewritten.
    /// Runs of fields that are forwarded unchanged are copied in one piece.
    static func write(
        _ head: HTTP1Head,
        target: String?,
        framing: BodyFraming,
        upgrade: Bool = false,
        requestID: RequestID,
        forwarding: ForwardingContext,
        into out: inout ByteBuffer
    ) {
        if let target {
            copy(head, head.methodRange.lowerBound..<head.methodRange.upperBound + 1, into: &out)
            out.writeString(target)
        } else {
            copy(head, head.methodRange.lowerBound..<head.targetRange.upperBound, into: &out)
        }
        out.writeStaticString(" HTTP/1.1\r\nHost: ")
        if let hostIndex = head.hostIndex { copyValue(head, hostIndex, into: &out) }
        out.writeStaticString("\r\n")

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
            run.add(field, forward: forward, from: head, into: &out)
        }
        run.finish(head, into: &out)

        out.writeStaticString("X-Request-ID: ")
        requestID.write(from: head, into: &out)
        out.writeStaticString("\r\nX-Forwarded-Host: ")
        if forwarding.trustForwardedHeaders, let index = clientHost {
            copyValue(head, index, into: &out)
        } else if let hostIndex = head.hostIndex {
            copyValue(head, hostIndex, into: &out)
        }
        out.writeStaticString("\r\n")
        if forwarding.trustForwardedHeaders {
            writeTrusted(head, forwardedFor: clientForwardedFor, port: clientPort, proto: clientProto, forwarding: forwarding, into: &out)
        } else {
            out.writeImmutableBuffer(forwarding.fixedTail)
        }
        if upgrade { out.writeStaticString("Connection: upgrade\r\n") }
        switch framing {
        case .none: break
        case .contentLength(let length):
            out.writeStaticString("Content-Length: ")
            out.writeString(String(length))
            out.writeStaticString("\r\n")
        case .chunked:
            out.writeStaticString("Transfer-Encoding: chunked\r\n")
        }
        out.writeStaticString("\r\n")
    }

    /// The forwarding lines when client-sent values are trusted (`--use-forwarded-headers`): `X-Forwarded-For`
    /// appends the peer, `X-Real-IP` is the first address, port and proto are kept when sent.
    private static func writeTrusted(
        _ head: HTTP1Head,
        forwardedFor: Int?,
        port: Int?,
        proto: Int?,
        forwarding: ForwardingContext,
        into out: inout ByteBuffer
    ) {
        out.writeStaticString("X-Real-IP: ")
        if let index = forwardedFor {
            let value = head.valueString(at: index)
            let first = value.split(separator: ",", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t") } ?? ""
            out.writeString(first.isEmpty ? forwarding.clientAddress : first)
        } else {
            out.writeString(forwarding.clientAddress)
        }
        out.writeStaticString("\r\nX-Forwarded-For: ")
        if let index = forwardedFor {
            copyValue(head, index, into: &out)
            out.writeStaticString(", ")
        }
        out.writeString(forwarding.clientAddress)
        out.writeStaticString("\r\nX-Forwarded-Port: ")
        if let index = port { copyValue(head, index, into: &out) } else { out.writeString(String(forwarding.listenerPort)) }
        let scheme = proto.map { head.valueString(at: $0) } ?? forwarding.scheme
        out.writeStaticString("\r\nX-Forwarded-Proto: ")
        out.writeString(scheme)
        out.writeStaticString("\r\nX-Forwarded-Scheme: ")
        out.writeString(scheme)
        out.writeStaticString("\r\nX-Scheme: ")
        out.writeString(scheme)
        out.writeStaticString("\r\n")
    }

    /// Copies `range` of the head's bytes.
    static func copy(_ head: some HTTP1FieldSection, _ range: Range<Int>, into out: inout ByteBuffer) {
        if let slice = head.bytes.getSlice(at: range.lowerBound, length: range.count) { out.writeImmutableBuffer(slice) }
    }

    /// Copies the value bytes of field `index`.
    static func copyValue(_ head: HTTP1Head, _ index: Int, into out: inout ByteBuffer) {
        let range = head.headers[index].value
        if let slice = head.bytes.getSlice(at: range.lowerBound, length: range.count) { out.writeImmutableBuffer(slice) }
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

    /// Adds the next field in order; `forward` says whether it is copied.
    mutating func add(_ field: HTTP1HeaderField, forward: Bool, from head: some HTTP1FieldSection, into out: inout ByteBuffer) {
        guard forward else {
            finish(head, into: &out)
            return
        }
        if let current = run, field.name.lowerBound - current.upperBound == 2 {
            // The value ended right before CRLF (no trailing whitespace): the two lines are contiguous.
            run = current.lowerBound..<field.value.upperBound
        } else {
            finish(head, into: &out)
            run = field.name.lowerBound..<field.value.upperBound
        }
    }

    /// Copies the pending run, ending it with CRLF.
    mutating func finish(_ head: some HTTP1FieldSection, into out: inout ByteBuffer) {
        guard let current = run else { return }
        RequestHeadWriter.copy(head, current, into: &out)
        out.writeStaticString("\r\n")
        run = nil
    }
}
