import NIOCore

/// Sits under the HTTP/2 handler of a client connection and turns the flushes of one event-loop pass into one.
///
/// Every stream flushes its own response, each when its backend's answer is read; several backends' answers are
/// read in the same pass of the event loop. The first flush of a pass is delayed to the end of the pass (after the
/// I/O it is part of), and the others join it: one TLS flush and one socket write carry the frames of every stream
/// answered in that pass, instead of one write per stream. A close flushes first.
final class HTTP2FlushCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var context: ChannelHandlerContext?
    private var flushPending = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        flushNow()
        self.context = nil
    }

    func flush(context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        context.eventLoop.assumeIsolated().execute { self.flushNow() }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        flushNow()
        context.close(mode: mode, promise: promise)
    }

    private func flushNow() {
        guard flushPending else { return }
        flushPending = false
        context?.flush()
    }
}
