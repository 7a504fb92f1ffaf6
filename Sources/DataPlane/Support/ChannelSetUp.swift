import NIOCore

extension Channel {
    /// Runs `body` (synchronous pipeline set-up, on the channel's event loop) and returns its outcome as a future.
    ///
    /// Used by every channel initializer instead of `EventLoop.makeCompletedFuture(_:)`: called through the
    /// `any EventLoop` of a fresh channel, that generic function looks its `Result` type metadata up at run time on
    /// each call (about 9,000 instructions per HTTP/2 stream), where a succeeded void future is a cached value.
    func setUp(_ body: () throws -> Void) -> EventLoopFuture<Void> {
        do {
            try body()
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }
}
