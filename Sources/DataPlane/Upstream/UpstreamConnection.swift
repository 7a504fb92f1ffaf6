import NIOCore

/// One connection to a backend endpoint, owned by its event loop's ``UpstreamPool`` while idle and by one
/// exchange while in use.
final class UpstreamConnection {
    /// The channel.
    let channel: any Channel
    /// The endpoint and protocol it serves.
    let key: PoolKey
    /// Whether this is one stream of a shared HTTP/2 connection (not pooled; it ends with its request).
    let isStream: Bool
    /// The channel's handler.
    let handler: UpstreamHandler
    /// Whether it came from the idle pool (a reused connection may have been closed by the backend meanwhile).
    var reused = false
    /// When it went idle, for the pool's idle timeout.
    var idleSince = NIODeadline.now()

    init(channel: any Channel, key: PoolKey, handler: UpstreamHandler, isStream: Bool) {
        self.channel = channel
        self.key = key
        self.handler = handler
        self.isStream = isStream
    }

    /// Small writes gathered until the next flush, which takes them down the pipeline with it: a request head and
    /// its flush cost one pass instead of two, a short chunk and its framing one write. Nothing else writes to the
    /// channel, so the order of the bytes is unchanged.
    private var output = WriteGatherer.connectionOutput()

    /// Writes without flushing.
    func write(_ buffer: ByteBuffer) {
        guard let context = handler.context, !output.gather(buffer) else { return }
        if let gathered = output.take() { context.write(NIOAny(gathered), promise: nil) }
        context.write(NIOAny(buffer), promise: nil)
    }

    /// Writes and flushes `buffer` after anything gathered; `promise` completes once it is in the kernel (or failed).
    func writeAndFlush(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>) {
        guard let context = handler.context else { return promise.fail(ChannelError.ioOnClosedChannel) }
        if let gathered = output.take() { context.write(NIOAny(gathered), promise: nil) }
        context.writeAndFlush(NIOAny(buffer), promise: promise)
    }

    /// Whether every byte written so far is in the kernel: nothing gathered, nothing queued in the channel.
    var outputDrained: Bool {
        guard output.isEmpty, let options = channel.syncOptions else { return false }
        return (try? options.getOption(.bufferedWritableBytes)) == 0
    }

    /// Flushes pending writes.
    func flush() {
        guard let context = handler.context else { return }
        WriteGatherer.flush(output.take(), to: context)
    }

    /// Whether the connection is still open (its handler has not seen it close).
    var isOpen: Bool { !handler.closed }

    /// Whether the socket accepts more writes without queueing.
    var isWritable: Bool { channel.isWritable }

    /// Closes the connection.
    func close() { channel.close(promise: nil) }
}
