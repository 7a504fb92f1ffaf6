import NIOCore

/// One connection to a backend endpoint, owned by its event loop's ``UpstreamPool`` while idle and by one
/// exchange while in use.
final class UpstreamConnection {
    /// The channel.
    let channel: any Channel
    /// The endpoint it is connected to.
    let endpoint: UpstreamEndpoint
    /// The channel's handler.
    let handler: UpstreamHandler
    /// Whether it came from the idle pool (a reused connection may have been closed by the backend meanwhile).
    var reused = false
    /// When it went idle, for the pool's idle timeout.
    var idleSince = NIODeadline.now()

    init(channel: any Channel, endpoint: UpstreamEndpoint, handler: UpstreamHandler) {
        self.channel = channel
        self.endpoint = endpoint
        self.handler = handler
    }

    /// Writes without flushing.
    func write(_ buffer: ByteBuffer) {
        handler.context?.write(NIOAny(buffer), promise: nil)
    }

    /// Flushes pending writes.
    func flush() { handler.context?.flush() }

    /// Whether the socket accepts more writes without queueing.
    var isWritable: Bool { channel.isWritable }

    /// Closes the connection.
    func close() { channel.close(promise: nil) }
}
