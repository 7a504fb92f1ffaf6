import NIOCore
import NIOHPACK
import NIOHTTP2

/// One stream of a client's HTTP/2 connection, in front of its own ``ProxyHandler``: turns the stream's request
/// frames into the bytes of one HTTP/1.1 request (so routing, forwarding, retries, limits and timeouts are the same
/// code as for HTTP/1.1), and turns the response back into HEADERS, DATA and trailer frames. A stream is plain state
/// of its ``HTTP2ServerConnection``, not a channel: its frames go straight to and from the connection's HTTP/2
/// handler, with no channel or pipeline of its own.
///
/// Flow control gives backpressure both ways. Request bytes reach the proxy only while it reads (it pauses when its
/// backend cannot take more); the stream's window is handed back to the client as bytes reach the proxy, so a
/// paused stream holds at most its window. Response DATA counts as pending until the HTTP/2 handler has written it
/// (it holds DATA the client's window does not allow yet); above ``highWatermark`` pending bytes the stream is not
/// writable, and the proxy stops reading its backend until it is again.
///
/// A backend's response takes a shorter way: the proxy hands over the head it already parsed and the body pieces
/// (``sendResponseHead(_:date:)`` and the calls after it), which become frames without being written as HTTP/1.1
/// and parsed again. Responses the proxy makes itself (errors, redirects) still come as bytes (``write(_:)``).
final class HTTP2ServerStream {
    /// Pending response bytes above which the stream is not writable.
    static let highWatermark = 8192
    /// Pending response bytes at or below which a stream that was not writable is again.
    static let lowWatermark = 4096
    /// The stream's receive window, announced in the connection's SETTINGS (`SETTINGS_INITIAL_WINDOW_SIZE`).
    static let initialWindow = 1 << 20
    /// Request bytes that reached the proxy are handed back to the client's window once this many add up.
    static let windowReturnThreshold = initialWindow / 2

    /// The stream's identifier.
    let id: HTTP2StreamID
    /// The connection. It holds this stream until the stream closes; the stream holds it back for as long as
    /// anything (a write's completion) still holds the stream.
    private let connection: HTTP2ServerConnection
    /// The proxy of this stream's exchange (nil once the stream closed).
    private var proxy: ProxyHandler?

    private var requestStarted = false
    private var requestChunked = false
    private var requestEnded = false
    /// The request's `content-length`, which the DATA received must add up to (RFC 9113 §8.1.1).
    private var expectedBodyBytes: Int?
    private var bodyBytes = 0
    private var isHEAD = false
    /// Request bytes waiting while the proxy does not read, with the flow-controlled length of their frames.
    private var pendingInput: [(bytes: ByteBuffer, credit: Int)] = []
    /// Flow-controlled bytes that reached the proxy and were not handed back to the client's window yet.
    private var unreturnedCredit = 0
    /// ``resumeInput()`` is delivering kept bytes.
    private var resuming = false

    private var responseParser = HTTP1ResponseParser(limits: HTTP1Limits(maxHeadBytes: 256 * 1024, maxHeaderCount: 1000))
    private var responseBuffer = ByteBuffer()
    private var framer = HTTP2MessageFramer()
    /// Frames being assembled (kept to reuse its storage).
    private var frames: [HTTP2Frame.FramePayload] = []
    /// Frames were handed to the connection since the stream's last flush.
    private var unflushed = false
    /// A backend's trailers, sent with the response's end (``endResponse()``).
    private var trailers: HTTP1Trailers?
    /// Response DATA bytes handed to the HTTP/2 handler and not written yet.
    private var pendingOutput = 0
    /// Whether the stream was last seen writable (the proxy is told when it becomes writable again).
    private var writable = true
    /// Closed: by the HTTP/2 handler (both sides ended, or a reset either way) or by the proxy.
    private(set) var isClosed = false

    /// A stream of `connection`; the caller attaches its proxy (``attach(_:)``) and starts it
    /// (``ProxyHandler/startStream()``).
    init(id: HTTP2StreamID, connection: HTTP2ServerConnection) {
        self.id = id
        self.connection = connection
    }

    /// Attaches the stream's proxy.
    func attach(_ proxy: ProxyHandler) { self.proxy = proxy }

    /// The allocator of the connection.
    var allocator: ByteBufferAllocator { connection.allocator }

    /// Whether response bytes may be written without piling up: few pending, and the connection writable.
    var isWritable: Bool { pendingOutput <= Self.highWatermark && connection.isWritable }

    // MARK: Inbound: request frames → HTTP/1.1 bytes

    /// A HEADERS frame of this stream: the request head, or its trailers.
    func receiveHeaders(_ headers: HTTP2Frame.FramePayload.Headers) {
        if !requestStarted {
            requestStarted = true
            guard let request = requestHead(headers.headers, endStream: headers.endStream) else {
                reset(.protocolError)
                return
            }
            if headers.endStream { requestEnded = true }
            deliver(request, credit: 0)
        } else if !requestEnded {
            guard bodyLengthMatches(), HTTP2RequestFields.trailersAreValid(headers.headers) else {
                reset(.protocolError)
                return
            }
            requestEnded = true
            guard requestChunked else { return }
            var out = allocator.buffer(capacity: 64)
            out.writeStaticString("0\r\n")
            Self.writeFields(headers.headers, into: &out)
            out.writeStaticString("\r\n")
            deliver(out, credit: 0)
        }
    }

    /// A DATA frame of this stream.
    func receiveData(_ frame: HTTP2Frame.FramePayload.Data) {
        guard requestStarted, !requestEnded, case .byteBuffer(let body) = frame.data else { return }
        let credit = body.readableBytes + (frame.paddingBytes.map { $0 + 1 } ?? 0)
        bodyBytes += body.readableBytes
        if let expectedBodyBytes, bodyBytes > expectedBodyBytes || (frame.endStream && bodyBytes != expectedBodyBytes) {
            reset(.protocolError)
            return
        }
        if frame.endStream { requestEnded = true }
        if requestChunked {
            // The chunk's size line, data and CRLF, its frame's window credit riding on the last piece.
            if body.readableBytes > 0 {
                ChunkedEncoding.emitChunk(body, allocator: allocator) { deliver($0, credit: 0) }
            }
            deliver(frame.endStream ? ByteBuffer(staticString: "0\r\n\r\n") : ByteBuffer(), credit: credit)
        } else {
            deliver(body, credit: credit)
        }
    }

    /// Hands request bytes to the proxy, or keeps them while it does not read (or earlier bytes still wait).
    private func deliver(_ bytes: ByteBuffer, credit: Int) {
        guard let proxy else { return }
        if !pendingInput.isEmpty || !proxy.acceptsInput {
            pendingInput.append((bytes, credit))
            return
        }
        if bytes.readableBytes > 0 { proxy.receive(bytes) }
        returnCredit(credit)
    }

    /// The proxy reads again: the bytes kept for it go now, as far as it keeps reading. The proxy can pause and
    /// resume again while it takes them; that nested call finds the delivery under way and leaves it to this one.
    func resumeInput() {
        guard !resuming else { return }
        resuming = true
        defer { resuming = false }
        var delivered = false
        while !pendingInput.isEmpty, let proxy, proxy.acceptsInput {
            let (bytes, credit) = pendingInput.removeFirst()
            delivered = true
            if bytes.readableBytes > 0 { proxy.receive(bytes) }
            returnCredit(credit)
        }
        if delivered { proxy?.receiveComplete() }
    }

    /// Hands request bytes that reached the proxy back to the client's window, once enough add up (the window is
    /// not replenished after the request ended).
    private func returnCredit(_ credit: Int) {
        guard credit > 0, !requestEnded, !isClosed else { return }
        unreturnedCredit += credit
        guard unreturnedCredit >= Self.windowReturnThreshold else { return }
        connection.write(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: unreturnedCredit)), promise: nil)
        unreturnedCredit = 0
        connection.flush()
    }

    /// The end of a read batch of the connection that reached this stream.
    func receiveComplete() { proxy?.receiveComplete() }

    /// Whether the DATA received adds up to the request's `content-length` (when it sent one), checked at its end.
    private func bodyLengthMatches() -> Bool {
        expectedBodyBytes.map { $0 == bodyBytes } ?? true
    }

    /// The HTTP/1.1 request head for the stream's HEADERS (nil when the block is malformed, see
    /// ``HTTP2RequestFields``): request line from the pseudo-headers, `Host` from `:authority`, the regular fields,
    /// and framing for the body.
    private func requestHead(_ headers: HPACKHeaders, endStream: Bool) -> ByteBuffer? {
        guard let fields = HTTP2RequestFields.parse(headers) else { return nil }
        expectedBodyBytes = fields.contentLength
        // A request that ends with its HEADERS has no DATA: a non-zero length is malformed.
        if endStream && !bodyLengthMatches() { return nil }
        isHEAD = fields.method == "HEAD"
        responseParser.expectResponse(toHEAD: isHEAD)
        var out = allocator.buffer(capacity: 256)
        out.writeString(fields.method)
        out.writeStaticString(" ")
        out.writeString(fields.path)
        out.writeStaticString(" HTTP/1.1\r\n")
        if !fields.hasHost {
            out.writeStaticString("host: ")
            out.writeString(fields.authority ?? "")
            out.writeStaticString("\r\n")
        }
        Self.writeFields(headers, into: &out)
        if !endStream && fields.contentLength == nil {
            requestChunked = true
            out.writeStaticString("transfer-encoding: chunked\r\n")
        }
        out.writeStaticString("connection: close\r\n\r\n")
        return out
    }

    /// Writes regular (non-pseudo, not connection-specific) fields as HTTP/1.1 field lines. Cookie fields, which
    /// an HTTP/2 client may send one crumb each, become one `cookie` line joined with `"; "` (RFC 9113 §8.2.3).
    static func writeFields(_ headers: HPACKHeaders, into out: inout ByteBuffer) {
        var cookies = 0
        for (name, value, _) in headers where name.utf8.first != UInt8(ascii: ":") && !HTTP2MessageFramer.isConnectionSpecific(name) {
            if name == "cookie" {
                cookies += 1
                continue
            }
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        guard cookies > 0 else { return }
        out.writeStaticString("cookie: ")
        var first = true
        for (name, value, _) in headers where name == "cookie" {
            if !first { out.writeStaticString("; ") }
            first = false
            out.writeString(value)
        }
        out.writeStaticString("\r\n")
    }

    // MARK: Outbound: HTTP/1.1 response bytes → frames

    /// Response bytes as HTTP/1.1 (the proxy's own responses): parsed and sent as frames.
    func write(_ bytes: ByteBuffer) {
        guard !isClosed else { return }
        var bytes = bytes
        if responseBuffer.readableBytes == 0 {
            responseBuffer = bytes
        } else {
            responseBuffer.writeBuffer(&bytes)
        }
        while !framer.ended {
            let event = responseParser.next(&responseBuffer)
            if case .error = event {
                reset(.internalError)
                return
            }
            guard framer.feed(event, into: &frames, convert: Self.responseHeaders) else { break }
        }
        // A head without its end yet waits for the next write or the flush: a response that ends before the
        // flush leaves as one HEADERS frame with END_STREAM (gRPC's trailers-only responses must).
        writeFrames()
    }

    /// Sends what is written, with a head still held back; flushes the connection only when this stream wrote
    /// frames since its last flush.
    func flush() {
        guard !isClosed else { return }
        framer.takePendingHead(into: &frames)
        writeFrames()
        guard unflushed else { return }
        unflushed = false
        connection.flush()
    }

    /// The HTTP/2 response headers for an HTTP/1.1 response head (nil drops `100 Continue`, which HTTP/2
    /// clients don't need).
    static func responseHeaders(_ head: HTTP1Head) -> HPACKHeaders? {
        if head.status == 100 { return nil }
        var headers = HPACKHeaders()
        headers.reserveCapacity(head.headers.count + 1)
        headers.add(name: ":status", value: String(head.status))
        HTTP2MessageFramer.addFields(of: head, to: &headers)
        return headers
    }

    // MARK: Outbound: a backend's response as parts

    /// Starts the response with a backend's final head (`:status`, the fields a client may see as for HTTP/1.1,
    /// `date` and `server` added when the backend sent none). It goes out with the first body piece, the end, or
    /// the next flush.
    func sendResponseHead(_ head: HTTP1Head, date: String) {
        var headers = HPACKHeaders()
        headers.reserveCapacity(head.headers.count + 3)
        headers.add(name: ":status", value: String(head.status), indexing: Self.statusIndexing(head.status))
        let added = ResponseHeadWriter.forEachField(of: head, framing: .asIs) { index, forward in
            // Fields HTTP/2 forbids are hop-by-hop for HTTP/1.1 too; the kind check also covers `te`.
            guard forward, !head.headers[index].kind.isConnectionSpecific else { return }
            let name = head.lowercasedNameString(at: index)
            headers.add(name: name, value: head.valueString(at: index), indexing: Self.responseFieldIndexing(name))
        }
        if !added.sawDate { headers.add(name: "date", value: date, indexing: .indexable) }
        if !added.sawServer { headers.add(name: "server", value: "gatehouse", indexing: .nonIndexable) }
        framer.head(headers)
    }

    /// How a `:status` is encoded: the statuses HPACK's static table holds with their value are then one byte;
    /// others are sent as literals and kept out of the dynamic table.
    static func statusIndexing(_ status: Int) -> HPACKIndexing {
        switch status {
        case 200, 204, 206, 304, 400, 404, 500: .indexable
        default: .nonIndexable
        }
    }

    /// How a response field is encoded. The few fields whose values repeat from response to response on a backend
    /// are indexed: from the second response on, each is one byte, with no Huffman coding. `date` is one of them:
    /// its value changes once a second, so it adds at most one table entry a second and every other response of
    /// that second gets it for one byte (Huffman coding its 29 bytes costs about 4,000 instructions). The rest
    /// (lengths, validators, cookies: values that differ from response to response) are literals kept out of the
    /// connection's dynamic table, so that table stays short and looking a field up in it stays cheap (the
    /// encoder searches it linearly).
    static func responseFieldIndexing(_ name: String) -> HPACKIndexing {
        // The length first: most fields are none of these, and are told apart without comparing strings.
        let indexed: Bool
        switch name.utf8.count {
        case 4: indexed = name == "vary" || name == "date"
        case 6: indexed = name == "server"
        case 12: indexed = name == "content-type"
        case 13: indexed = name == "accept-ranges" || name == "cache-control"
        case 15: indexed = name == "x-frame-options"
        case 16: indexed = name == "content-encoding"
        case 22: indexed = name == "x-content-type-options"
        case 25: indexed = name == "strict-transport-security"
        default: indexed = false
        }
        return indexed ? .indexable : .nonIndexable
    }

    /// A piece of the response body.
    func sendResponseBody(_ body: ByteBuffer) {
        framer.body(body, into: &frames)
        writeFrames()
    }

    /// Keeps a backend's trailers for the response's end. They wait for it (they come just before it) because the
    /// frame they go in ends the stream: the proxy releases its backend connection first (see
    /// ``ProxyHandler/upstreamEnd(reusable:)``).
    func sendResponseTrailers(_ trailers: HTTP1Trailers) {
        self.trailers = trailers
    }

    /// Ends the response, with the backend's trailers when it sent any (framing fields dropped).
    func endResponse() {
        var fields: HPACKHeaders?
        if let trailers {
            var section = HPACKHeaders()
            HTTP2MessageFramer.addFields(of: trailers, to: &section, droppingFraming: true)
            if !section.isEmpty { fields = section }
        }
        framer.end(trailers: fields, into: &frames)
        writeFrames()
    }

    /// Hands the assembled frames to the connection. DATA that does not end the stream is counted as pending
    /// until written; the last frame of a response needs no count, nothing is written after it.
    private func writeFrames() {
        guard !frames.isEmpty else { return }
        if isClosed {
            frames.removeAll(keepingCapacity: true)
            return
        }
        for frame in frames {
            var promise: EventLoopPromise<Void>?
            if case .data(let data) = frame, !data.endStream, data.data.readableBytes > 0 {
                let count = data.data.readableBytes
                pendingOutput += count
                let written = connection.eventLoop.makePromise(of: Void.self)
                written.futureResult.assumeIsolated().whenComplete { _ in self.wrote(count) }
                promise = written
            }
            connection.write(HTTP2Frame(streamID: id, payload: frame), promise: promise)
        }
        frames.removeAll(keepingCapacity: true)
        unflushed = true
        if isClosed {
            // A frame that ended the stream closed it as it was written (a HEADERS with END_STREAM does at once):
            // nothing will flush for the stream any more.
            connection.flush()
            return
        }
        updateWritability()
    }

    /// `count` pending bytes were written (or dropped with the stream).
    private func wrote(_ count: Int) {
        pendingOutput -= count
        if !isClosed { updateWritability() }
    }

    /// Tells the proxy when the stream became writable again (checked after each change of the pending bytes and
    /// of the connection's writability).
    func updateWritability() {
        if writable {
            if !isWritable { writable = false }
        } else if pendingOutput <= Self.lowWatermark && connection.isWritable {
            writable = true
            proxy?.clientWritable()
        }
    }

    /// Ends the response (the proxy shut its output): END_STREAM now if the response did not end yet.
    func endOutput() {
        guard !isClosed, !framer.ended else { return }
        endResponse()
        flush()
    }

    /// The proxy closes the stream, which is still open (the client's request has not ended, or no response was
    /// sent): reset it, with NO_ERROR when the response is complete (the client may stop sending its request,
    /// RFC 9113 §8.1), else CANCEL.
    func close() {
        guard !isClosed else { return }
        reset(framer.ended ? .noError : .cancel)
    }

    /// Resets the stream with `code` and closes it.
    private func reset(_ code: HTTP2ErrorCode) {
        guard !isClosed else { return }
        connection.write(HTTP2Frame(streamID: id, payload: .rstStream(code)), promise: nil)
        connection.flush()
        closed()
    }

    /// The stream is closed (by the HTTP/2 handler, or here): the proxy is told and dropped, the connection
    /// forgets the stream.
    func closed() {
        guard !isClosed else { return }
        isClosed = true
        pendingInput.removeAll()
        let proxy = self.proxy
        self.proxy = nil
        proxy?.streamClosed()
        connection.streamClosed(self)
    }
}
