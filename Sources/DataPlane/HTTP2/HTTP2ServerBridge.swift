import NIOCore
import NIOHPACK
import NIOHTTP2

/// Sits on an HTTP/2 stream channel in front of a ``ProxyHandler``: turns the stream's request frames into the
/// bytes of one HTTP/1.1 request (so routing, forwarding, retries, limits and timeouts are the same code as for
/// HTTP/1.1), and turns the HTTP/1.1 response bytes the proxy writes back into HEADERS, DATA and trailer frames.
/// Flow control gives backpressure both ways: the proxy's reads become stream reads (window updates), and the
/// stream's writability (the peer's window) is what the proxy watches before reading more from the backend.
///
/// A backend's response takes a shorter way: the proxy hands over the head it already parsed and the body pieces
/// (``sendResponseHead(_:date:)`` and the calls after it), which become frames without being written as HTTP/1.1
/// and parsed again. Responses the proxy makes itself (errors, redirects) still come as bytes.
final class HTTP2ServerBridge: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var requestStarted = false
    private var requestChunked = false
    private var requestEnded = false
    /// The request's `content-length`, which the DATA received must add up to (RFC 9113 §8.1.1).
    private var expectedBodyBytes: Int?
    private var bodyBytes = 0
    private var isHEAD = false
    private var responseParser = HTTP1ResponseParser(limits: HTTP1Limits(maxHeadBytes: 256 * 1024, maxHeaderCount: 1000))
    private var responseBuffer = ByteBuffer()
    private var framer = HTTP2MessageFramer()
    private var context: ChannelHandlerContext?
    /// Frames being assembled by the typed response calls (kept to reuse its storage).
    private var frames: [HTTP2Frame.FramePayload] = []

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: Inbound: request frames → HTTP/1.1 bytes

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            if !requestStarted {
                requestStarted = true
                guard let request = requestHead(headers.headers, endStream: headers.endStream, allocator: context.channel.allocator) else {
                    resetStream(context: context, code: .protocolError)
                    return
                }
                context.fireChannelRead(NIOAny(request))
                if headers.endStream { requestEnded = true }
            } else if !requestEnded {
                guard bodyLengthMatches(), HTTP2RequestFields.trailersAreValid(headers.headers) else {
                    resetStream(context: context, code: .protocolError)
                    return
                }
                var out = context.channel.allocator.buffer(capacity: 64)
                if requestChunked {
                    out.writeStaticString("0\r\n")
                    Self.writeFields(headers.headers, into: &out)
                    out.writeStaticString("\r\n")
                }
                requestEnded = true
                if out.readableBytes > 0 { context.fireChannelRead(NIOAny(out)) }
            }
        case .data(let frame):
            guard requestStarted, !requestEnded, case .byteBuffer(let body) = frame.data else { return }
            bodyBytes += body.readableBytes
            if let expectedBodyBytes, bodyBytes > expectedBodyBytes || (frame.endStream && bodyBytes != expectedBodyBytes) {
                resetStream(context: context, code: .protocolError)
                return
            }
            if requestChunked {
                ChunkedEncoding.emitChunk(body, allocator: context.channel.allocator) { context.fireChannelRead(NIOAny($0)) }
                if frame.endStream { context.fireChannelRead(NIOAny(ByteBuffer(staticString: "0\r\n\r\n"))) }
            } else if body.readableBytes > 0 {
                context.fireChannelRead(NIOAny(body))
            }
            if frame.endStream { requestEnded = true }
        case .rstStream:
            context.close(promise: nil)
        default:
            break
        }
    }

    /// Whether the DATA received adds up to the request's `content-length` (when it sent one), checked at its end.
    private func bodyLengthMatches() -> Bool {
        expectedBodyBytes.map { $0 == bodyBytes } ?? true
    }

    /// The HTTP/1.1 request head for the stream's HEADERS (nil when the block is malformed, see
    /// ``HTTP2RequestFields``): request line from the pseudo-headers, `Host` from `:authority`, the regular fields,
    /// and framing for the body.
    private func requestHead(_ headers: HPACKHeaders, endStream: Bool, allocator: ByteBufferAllocator) -> ByteBuffer? {
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

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var bytes = unwrapOutboundIn(data)
        if responseBuffer.readableBytes == 0 {
            responseBuffer = bytes
        } else {
            responseBuffer.writeBuffer(&bytes)
        }
        var frames: [HTTP2Frame.FramePayload] = []
        while !framer.ended {
            let event = responseParser.next(&responseBuffer)
            if case .error = event {
                promise?.fail(ChannelError.inappropriateOperationForState)
                resetStream(context: context, code: .internalError)
                return
            }
            guard framer.feed(event, into: &frames, convert: Self.responseHeaders) else { break }
        }
        // A head without its end yet waits for the next write or the flush: a response that ends before the
        // flush leaves as one HEADERS frame with END_STREAM (gRPC's trailers-only responses must).
        HTTP2MessageFramer.write(frames, context: context, promise: promise, wrap: wrapOutboundOut)
    }

    func flush(context: ChannelHandlerContext) {
        var frames: [HTTP2Frame.FramePayload] = []
        framer.takePendingHead(into: &frames)
        HTTP2MessageFramer.write(frames, context: context, promise: nil, wrap: wrapOutboundOut)
        context.flush()
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

    /// Ends the response, with the backend's trailers when it sent any (framing fields dropped).
    func endResponse(trailers: HTTP1Trailers? = nil) {
        var fields: HPACKHeaders?
        if let trailers {
            var section = HPACKHeaders()
            HTTP2MessageFramer.addFields(of: trailers, to: &section, droppingFraming: true)
            if !section.isEmpty { fields = section }
        }
        framer.end(trailers: fields, into: &frames)
        writeFrames()
    }

    private func writeFrames() {
        guard let context, !frames.isEmpty else { return }
        for frame in frames { context.write(wrapOutboundOut(frame), promise: nil) }
        frames.removeAll(keepingCapacity: true)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .output {
            if !framer.ended {
                framer.markEnded()
                context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: nil)
            }
            promise?.succeed(())
            return
        }
        context.close(mode: mode, promise: promise)
    }

    private func resetStream(context: ChannelHandlerContext, code: HTTP2ErrorCode) {
        context.writeAndFlush(wrapOutboundOut(.rstStream(code)), promise: nil)
        context.close(promise: nil)
    }
}
