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
    static func write(
        _ head: HTTP1Head,
        target: String?,
        framing: BodyFraming,
        upgrade: Bool = false,
        forwarding: ForwardingContext,
        into out: inout ByteBuffer
    ) {
        out.writeImmutableBuffer(head.bytes.getSlice(at: head.methodRange.lowerBound, length: head.methodRange.count) ?? ByteBuffer())
        out.writeStaticString(" ")
        if let target {
            out.writeString(target)
        } else {
            out.writeImmutableBuffer(head.bytes.getSlice(at: head.targetRange.lowerBound, length: head.targetRange.count) ?? ByteBuffer())
        }
        out.writeStaticString(" HTTP/1.1\r\nHost: ")
        if let hostIndex = head.hostIndex { copyValue(head, hostIndex, into: &out) }
        out.writeStaticString("\r\n")

        var clientForwardedFor: Int?
        var clientHost: Int?
        var clientPort: Int?
        var clientProto: Int?
        for index in head.headers.indices {
            let field = head.headers[index]
            switch field.kind {
            case .upgrade where upgrade:
                out.writeImmutableBuffer(head.bytes.getSlice(at: field.name.lowerBound, length: field.value.upperBound - field.name.lowerBound) ?? ByteBuffer())
                out.writeStaticString("\r\n")
            case .host, .contentLength, .expect, .xRealIP, .xRequestID:
                continue
            case _ where field.kind.isHopByHop:
                continue
            case .xForwardedFor:
                if clientForwardedFor == nil { clientForwardedFor = index }
                continue
            case .xForwardedHost:
                if clientHost == nil { clientHost = index }
                continue
            case .xForwardedPort:
                if clientPort == nil { clientPort = index }
                continue
            case .xForwardedProto:
                if clientProto == nil { clientProto = index }
                continue
            default:
                if !head.connectionTokens.others.isEmpty && head.isNominatedByConnection(index) { continue }
                out.writeImmutableBuffer(head.bytes.getSlice(at: field.name.lowerBound, length: field.value.upperBound - field.name.lowerBound) ?? ByteBuffer())
                out.writeStaticString("\r\n")
            }
        }

        let trust = forwarding.trustForwardedHeaders
        out.writeStaticString("X-Request-ID: ")
        out.writeString(forwarding.requestID)
        out.writeStaticString("\r\nX-Real-IP: ")
        if trust, let index = clientForwardedFor {
            let value = head.valueString(at: index)
            let first = value.split(separator: ",", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t") } ?? ""
            out.writeString(first.isEmpty ? forwarding.clientAddress : first)
        } else {
            out.writeString(forwarding.clientAddress)
        }
        out.writeStaticString("\r\nX-Forwarded-For: ")
        if trust, let index = clientForwardedFor {
            copyValue(head, index, into: &out)
            out.writeStaticString(", ")
        }
        out.writeString(forwarding.clientAddress)
        out.writeStaticString("\r\nX-Forwarded-Host: ")
        if trust, let index = clientHost {
            copyValue(head, index, into: &out)
        } else if let hostIndex = head.hostIndex {
            copyValue(head, hostIndex, into: &out)
        }
        out.writeStaticString("\r\nX-Forwarded-Port: ")
        if trust, let index = clientPort { copyValue(head, index, into: &out) } else { out.writeString(String(forwarding.listenerPort)) }
        let proto: String = trust && clientProto != nil ? clientProto.map { head.valueString(at: $0) } ?? forwarding.scheme : forwarding.scheme
        out.writeStaticString("\r\nX-Forwarded-Proto: ")
        out.writeString(proto)
        out.writeStaticString("\r\nX-Forwarded-Scheme: ")
        out.writeString(proto)
        out.writeStaticString("\r\nX-Scheme: ")
        out.writeString(proto)
        out.writeStaticString("\r\n")
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
