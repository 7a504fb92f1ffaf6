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

    /// The client head for the backend's `head`, with room for `extraCapacity` bytes of body after it. `bound` is
    /// the memory reserved for the head, ``maximumByteCount(_:date:)`` unless given; should the head not fit, it is
    /// written again with twice the bound (slower, never wrong). `memory`, an earlier output buffer no longer needed
    /// (or nil), is taken and written into: its memory is reused when nothing else holds it.
    static func make(
        _ head: HTTP1Head,
        framing: BodyFraming,
        connection: ConnectionField,
        date: ByteBuffer,
        extraCapacity: Int = 0,
        bound: Int? = nil,
        reusing memory: inout ByteBuffer?
    ) -> ByteBuffer {
        let bound = bound ?? maximumByteCount(head, date: date)
        let written = ByteBuffer(writingFrom: head, bound: bound, extraCapacity: extraCapacity, reusing: &memory) { source, out in
            write(head, source, framing: framing, connection: connection, date: date, into: &out)
        }
        if let written { return written }
        var none: ByteBuffer? = nil
        return make(
            head, framing: framing, connection: connection, date: date, extraCapacity: extraCapacity, bound: 2 * bound, reusing: &none)
    }

    /// At least as many bytes as the client head takes. The status line and each run of forwarded field lines take
    /// no more room than they did as received (each run ends with the CRLF it replaces); added are the date, a
    /// reason phrase when the backend sent none, and at most 128 bytes of fixed fields.
    static func maximumByteCount(_ head: HTTP1Head, date: ByteBuffer) -> Int {
        let reason = head.reasonRange.isEmpty ? ErrorResponse.reasonPhrase(head.status).utf8.count + 4 : 0
        return head.bytes.readableBytes + date.readableBytes + reason + 128
    }

    private static func write(
        _ head: HTTP1Head,
        _ source: UnsafeRawBufferPointer,
        framing: BodyFraming,
        connection: ConnectionField,
        date: ByteBuffer,
        into out: inout HeadByteWriter
    ) {
        out.write("HTTP/1.1 ")
        if head.reasonRange.isEmpty {
            out.write(decimal: head.status)
            out.write(" ")
            out.write(ErrorResponse.reasonPhrase(head.status))
        } else {
            // "HTTP/1.x " is 9 bytes: the status code and reason follow as received.
            out.write(source, 9..<head.reasonRange.upperBound)
        }
        out.write("\r\n")
        var run = FieldLineRun()
        let added = forEachField(of: head, framing: framing) { index, forward in
            run.add(head.headers[index], forward: forward, from: source, into: &out)
        }
        run.finish(source, into: &out)
        if !added.sawDate {
            out.write("Date: ")
            out.write(date)
            out.write("\r\n")
        }
        if !added.sawServer { out.write("Server: gatehouse\r\n") }
        if framing == .chunked { out.write("Transfer-Encoding: chunked\r\n") }
        connection.write(into: &out)
        out.write("\r\n")
    }
}

extension ResponseHeadWriter {
    /// Calls `body` with each field of the backend's `head` in order and whether it reaches the client: hop-by-hop
    /// fields and those the backend's Connection field nominates do not, nor a Content-Length when the proxy
    /// re-frames the body. Returns whether `Date` and `Server` were among them (the proxy adds them otherwise).
    /// Shared by the HTTP/1.1 head above and the HTTP/2 response headers (``HTTP2ServerStream``).
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

    /// Writes the field's line, if any.
    func write(into out: inout HeadByteWriter) {
        switch self {
        case .none: break
        case .close: out.write("Connection: close\r\n")
        case .keepAlive: out.write("Connection: keep-alive\r\n")
        }
    }
}
