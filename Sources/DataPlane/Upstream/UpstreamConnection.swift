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

    /// The last write, held until the next write or the flush, which then takes it down the pipeline in the same
    /// pass (`writeAndFlush`): a request head and its flush cost one pass instead of two. Nothing else writes to
    /// the channel, so the order of the bytes is unchanged.
    private var held: ByteBuffer?

    /// Writes without flushing.
    func write(_ buffer: ByteBuffer) {
        if let held { handler.context?.write(NIOAny(held), promise: nil) }
        held = buffer
    }

    /// Flushes pending writes.
    func flush() {
        if let held {
            self.held = nil
            handler.context?.writeAndFlush(NIOAny(held), promise: nil)
        } else {
            handler.context?.flush()
        }
    }

    /// Whether the connection is still open (its handler has not seen it close).
    var isOpen: Bool { !handler.closed }

    /// Whether the socket accepts more writes without queueing.
    var isWritable: Bool { channel.isWritable }

    /// Closes the connection.
    func close() { channel.close(promise: nil) }
}
