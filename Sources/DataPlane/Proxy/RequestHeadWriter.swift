import NIOCore

/// The request head sent upstream: the client's fields minus hop-by-hop ones, the original Host, and the
/// forwarding headers ingress-nginx sets (`X-Request-ID`, `X-Real-IP`, `X-Forwarded-For/-Host/-Port/-Proto/-Scheme`,
/// `X-Scheme`). Field bytes are copied as received; nothing is decoded into Strings. Runs of fields that are
/// forwarded unchanged are copied in one piece. `ByteBuffer(head:)` makes the bytes.
struct RequestHeadWriter: HeadContent {
    /// How the request body is framed upstream.
    enum BodyFraming: Equatable {
        /// No body.
        case none
        /// `Content-Length: n`.
        case contentLength(Int)
        /// `Transfer-Encoding: chunked` (the proxy re-frames the decoded chunks).
        case chunked
    }

    /// The client's request head.
    let head: HTTP1Head
    /// The request target sent instead of the client's, when rewritten.
    let target: String?
    /// The body's framing upstream.
    let framing: BodyFraming
    /// Whether the Upgrade field and `Connection: upgrade` are forwarded.
    var upgrade = false
    /// The `X-Request-ID` sent.
    let requestID: RequestID
    /// The client side of the connection.
    let forwarding: ForwardingContext

    /// Every piece taken from the received head is a distinct part of it, except the Host value, which is sent
    /// twice (`Host`, `X-Forwarded-Host`); the rest is the rewritten target, the fixed forwarding lines and at most
    /// 256 bytes of names and numbers. With trusted forwarding headers, values repeat more: those heads are counted.
    var maximumByteCount: Int? {
        if forwarding.trustForwardedHeaders { return nil }
        return 2 * head.bytes.readableBytes + (target?.utf8.count ?? 0) + forwarding.fixedTail.readableBytes + 256
    }

    func write(into out: inout some HeadSink) {
        head.bytes.withUnsafeReadableBytes { source in write(source, into: &out) }
    }

    private func write(_ source: UnsafeRawBufferPointer, into out: inout some HeadSink) {
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
            writeTrusted(source, forwardedFor: clientForwardedFor, port: clientPort, proto: clientProto, into: &out)
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
    private func writeTrusted(
        _ source: UnsafeRawBufferPointer,
        forwardedFor: Int?,
        port: Int?,
        proto: Int?,
        into out: inout some HeadSink
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
    mutating func add(_ field: HTTP1HeaderField, forward: Bool, from source: UnsafeRawBufferPointer, into out: inout some HeadSink) {
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
    mutating func finish(_ source: UnsafeRawBufferPointer, into out: inout some HeadSink) {
        guard let current = run else { return }
        out.write(source, current)
        out.write("\r\n")
        run = nil
    }
}
