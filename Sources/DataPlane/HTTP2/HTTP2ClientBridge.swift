import NIOCore
import NIOHPACK
import NIOHTTP2

/// Sits on an HTTP/2 stream to a backend (gRPC: `backend-protocol: GRPC`/`GRPCS`), in front of an
/// ``UpstreamHandler``: the HTTP/1.1 request bytes the proxy writes become HEADERS and DATA frames, and the
/// backend's frames become an HTTP/1.1 response (chunked, so trailers such as `grpc-status` arrive intact).
/// The mirror image of ``HTTP2ServerStream``; together they let every protocol pair share one proxy handler.
final class HTTP2ClientBridge: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let scheme: String
    private var requestParser = HTTP1RequestParser(limits: HTTP1Limits(maxHeadBytes: 256 * 1024, maxHeaderCount: 1000))
    private var requestBuffer = ByteBuffer()
    private var framer = HTTP2MessageFramer()
    private var isHEAD = false
    private var responseStarted = false
    private var responseHasBody = true
    private var responseEnded = false

    /// A bridge for a backend reached with `scheme` (`http` or `https`).
    init(scheme: String) { self.scheme = scheme }

    // MARK: Outbound: HTTP/1.1 request bytes → frames

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var bytes = unwrapOutboundIn(data)
        if requestBuffer.readableBytes == 0 {
            requestBuffer = bytes
        } else {
            requestBuffer.writeBuffer(&bytes)
        }
        var frames: [HTTP2Frame.FramePayload] = []
        while !framer.ended {
            let event = requestParser.next(&requestBuffer)
            if case .error = event {
                promise?.fail(ChannelError.inappropriateOperationForState)
                context.close(promise: nil)
                return
            }
            guard framer.feed(event, into: &frames, convert: requestHeaders) else { break }
        }
        framer.takePendingHead(into: &frames)
        HTTP2MessageFramer.write(frames, context: context, promise: promise, wrap: wrapOutboundOut)
    }

    /// The HTTP/2 request headers for an HTTP/1.1 request head; gRPC requests get `te: trailers`.
    private func requestHeaders(_ head: HTTP1Head) -> HPACKHeaders? {
        var headers = HPACKHeaders()
        headers.reserveCapacity(head.headers.count + 5)
        headers.add(name: ":method", value: head.method)
        headers.add(name: ":scheme", value: scheme)
        headers.add(name: ":path", value: head.target)
        headers.add(name: ":authority", value: head.host ?? "")
        isHEAD = head.isMethod("HEAD")
        var grpc = false
        for index in head.headers.indices where head.headers[index].kind != .host {
            if head.headers[index].kind.isConnectionSpecific { continue }
            let name = head.lowercasedNameString(at: index)
            let value = head.valueString(at: index)
            if name == "content-type" && value.hasPrefix("application/grpc") { grpc = true }
            headers.add(name: name, value: value)
        }
        if grpc { headers.add(name: "te", value: "trailers") }
        return headers
    }

    // MARK: Inbound: response frames → HTTP/1.1 bytes

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let frame):
            var out = context.channel.allocator.buffer(capacity: 256)
            if !responseStarted {
                let status = Int(frame.headers.first(name: ":status") ?? "") ?? 502
                if (100..<200).contains(status) {
                    out.writeString("HTTP/1.1 \(status) \(ErrorResponse.reasonPhrase(status))\r\n\r\n")
                    context.fireChannelRead(NIOAny(out))
                    return
                }
                responseStarted = true
                responseHasBody = !(isHEAD || status == 204 || status == 304)
                out.writeString("HTTP/1.1 \(status) \(ErrorResponse.reasonPhrase(status))\r\n")
                for (name, value, _) in frame.headers {
                    if name.hasPrefix(":") || HTTP2MessageFramer.isConnectionSpecific(name) { continue }
                    // The body is re-framed as chunked (trailers may follow), so a length no longer applies.
                    if name == "content-length" && responseHasBody { continue }
                    out.writeString(name)
                    out.writeStaticString(": ")
                    out.writeString(value)
                    out.writeStaticString("\r\n")
                }
                if responseHasBody { out.writeStaticString("transfer-encoding: chunked\r\n") }
                out.writeStaticString("\r\n")
                if frame.endStream {
                    if responseHasBody { out.writeStaticString("0\r\n\r\n") }
                    responseEnded = true
                }
            } else if !responseEnded {
                out.writeStaticString("0\r\n")
                for (name, value, _) in frame.headers where !name.hasPrefix(":") && !HTTP2MessageFramer.isConnectionSpecific(name) {
                    out.writeString(name)
                    out.writeStaticString(": ")
                    out.writeString(value)
                    out.writeStaticString("\r\n")
                }
                out.writeStaticString("\r\n")
                responseEnded = true
            }
            context.fireChannelRead(NIOAny(out))
        case .data(let frame):
            guard responseStarted, !responseEnded, case .byteBuffer(let body) = frame.data else { return }
            if responseHasBody {
                ChunkedEncoding.emitChunk(body, allocator: context.channel.allocator) { context.fireChannelRead(NIOAny($0)) }
            }
            if frame.endStream {
                if responseHasBody { context.fireChannelRead(NIOAny(ByteBuffer(staticString: "0\r\n\r\n"))) }
                responseEnded = true
            }
        case .rstStream:
            context.close(promise: nil)
        default:
            break
        }
    }
}
