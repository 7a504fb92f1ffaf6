import NIOCore

/// Sits under the HTTP/2 handler of a client connection and turns the flushes of one event-loop pass into one.
///
/// Every stream flushes its own response, each when its backend's answer is read; several backends' answers are
/// read in the same pass of the event loop. The first flush of a pass is delayed to the end of the pass (after the
/// I/O it is part of), and the others join it: one TLS flush and one socket write carry the frames of every stream
/// answered in that pass, instead of one write per stream. Small writes (frame headers, header blocks, short
/// bodies) are gathered into one buffer until then, so TLS seals one record for them instead of one per write;
/// large ones pass as they are, after what was gathered. A close writes and flushes first.
final class HTTP2FlushCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The largest write that is copied into the gathered buffer.
    static let gatherLimit = 4096

    private var context: ChannelHandlerContext?
    private var flushPending = false
    /// The small writes of this pass, copied into one buffer (the pieces are frame headers and slices of the
    /// encoder's buffers, not buffers of their own to grow).
    private var gathered = WriteGatherer(pieceLimit: HTTP2FlushCoalescer.gatherLimit, limit: .max, firstCapacity: 2 * gatherLimit)
    /// Completed when what was gathered is written: the promises of the writes gathered.
    private var gatheredPromise: EventLoopPromise<Void>?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        flushNow()
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(let buffer) = unwrapOutboundIn(data), gathered.gather(buffer) else {
            writeGathered()
            context.write(data, promise: promise)
            return
        }
        if let promise {
            if let gatheredPromise { gatheredPromise.futureResult.cascade(to: promise) } else { gatheredPromise = promise }
        }
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

    /// Writes what was gathered as one buffer.
    private func writeGathered() {
        guard let context, let buffer = gathered.take() else { return }
        let promise = gatheredPromise
        gatheredPromise = nil
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }

    private func flushNow() {
        guard flushPending else { return }
        flushPending = false
        guard let context else { return }
        let promise = gatheredPromise
        gatheredPromise = nil
        WriteGatherer.flush(gathered.take(), to: context, promise: promise)
    }
}
