import NIOCore

/// Sits under the TLS handler of an HTTPS connection (between it and the socket) and lets the last response of a
/// connection that ends leave in the same socket write as TLS's close_notify.
///
/// The TLS handler writes and flushes the response's records, then writes and flushes the close_notify alert, then
/// shuts the output: two socket writes, two segments for the client to take in. When the connection's handler is
/// about to end the connection it sends ``hold``; from then on flushes are held until the close arrives, which
/// flushes first (the socket channel shuts its output only after its pending writes). Everything else passes.
final class TLSCloseFlushHolder: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// The outbound user event that starts holding flushes until the connection's close.
    struct Hold: Sendable {}
    /// The event to send.
    static let hold = Hold()

    private var holding = false
    private var flushHeld = false

    func flush(context: ChannelHandlerContext) {
        if holding {
            flushHeld = true
        } else {
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        holding = false
        if flushHeld {
            flushHeld = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Hold else { return context.triggerUserOutboundEvent(event, promise: promise) }
        holding = true
        promise?.succeed()
    }
}
