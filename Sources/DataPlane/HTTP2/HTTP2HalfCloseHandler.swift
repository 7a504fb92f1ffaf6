import NIOCore
import NIOHTTP2

/// Closes a client's HTTP/2 connection as soon as the client half-closes it (FIN), as nginx and Go's server do.
///
/// Client connections allow half-closure (an HTTP/1.1 client may send its request, shut its output and read the
/// answer), but an HTTP/2 peer that can send nothing more can no longer hand back flow-control windows or
/// acknowledge settings: its open streams could only stall, holding their backend connections until a timeout,
/// and without this the socket would stay in CLOSE_WAIT until the idle timeout. The last handler of the
/// connection's pipeline.
final class HTTP2HalfCloseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
