import NIOCore

/// Writes the response head sent to the client: the backend's status line and fields minus hop-by-hop ones,
/// `Date` and `Server` added when the backend sent none, and the framing and connection fields the proxy chose.
enum ResponseHeadWriter {
    /// How the response body is framed towards the client.
    enum BodyFraming: Equatable {
        /// No body follows (HEAD, 1xx, 204, 304), or the backend's Content-Length is passed on unchanged.
        case asIs
        /// `Transfer-Encoding: chunked` (the proxy re-frames the body).
        case chunked
        /// The body runs until the connection closes (HTTP/1.0 clients without a length).
        case untilClose
    }

    /// Appends the client response head for the upstream `head`.
    static func write(
        _ head: HTTP1Head,
        framing: BodyFraming,
        connection: ConnectionField,
        date: ByteBuffer,
        into out: inout ByteBuffer
    ) {
        out.writeStaticString("HTTP/1.1 ")
        if head.reasonRange.isEmpty {
            out.writeString("\(head.status) \(ErrorResponse.reasonPhrase(head.status))")
        } else {
            // "HTTP/1.x " is 9 bytes: the status code and reason follow as received.
            RequestHeadWriter.copy(head, 9..<head.reasonRange.upperBound, into: &out)
        }
        out.writeStaticString("\r\n")
        var run = FieldLineRun()
        let added = forEachField(of: head, framing: framing) { index, forward in
            run.add(head.headers[index], forward: forward, from: head, into: &out)
        }
        run.finish(head, into: &out)
        if !added.sawDate {
            out.writeStaticString("Date: ")
            out.writeImmutableBuffer(date)
            out.writeStaticString("\r\n")
        }
        if !added.sawServer { out.writeStaticString("Server: gatehouse\r\n") }
        if framing == .chunked { out.writeStaticString("Transfer-Encoding: chunked\r\n") }
        connection.write(into: &out)
        out.writeStaticString("\r\n")
    }
}

extension ResponseHeadWriter {
    /// Calls `body` with each field of the backend's `head` in order and whether it reaches the client: hop-by-hop
    /// fields and those the backend's Connection field nominates do not, nor a Content-Length when the proxy
    /// re-frames the body. Returns whether `Date` and `Server` were among them (the proxy adds them otherwise).
    /// Shared by the HTTP/1.1 head above and the HTTP/2 response headers (``HTTP2ServerBridge``).
    @inline(__always)
    static func forEachField(
        of head: HTTP1Head,
        framing: BodyFraming,
        _ body: (_ index: Int, _ forward: Bool) -> Void
    ) -> (sawDate: Bool, sawServer: Bool) {
        var sawDate = false
        var sawServer = false
        let checkNominated = !head.connectionTokens.others.isEmpty
        for index in head.headers.indices {
            let kind = head.headers[index].kind
            var forward = true
            switch kind {
            case _ where kind.isHopByHop:
                forward = false
            case .contentLength where framing != .asIs:
                forward = false
            case .date: sawDate = true
            case .server: sawServer = true
            default:
                forward = !(checkNominated && head.isNominatedByConnection(index))
            }
            body(index, forward)
        }
        return (sawDate, sawServer)
    }
}

/// The `Connection` field the proxy sends to the client.
enum ConnectionField {
    /// Nothing (HTTP/1.1 keep-alive is the default).
    case none
    /// `Connection: close`: the proxy closes after this response.
    case close
    /// `Connection: keep-alive`, for HTTP/1.0 clients that asked for it.
    case keepAlive

    func write(into out: inout ByteBuffer) {
        switch self {
        case .none: break
        case .close: out.writeStaticString("Connection: close\r\n")
        case .keepAlive: out.writeStaticString("Connection: keep-alive\r\n")
        }
    }
}
