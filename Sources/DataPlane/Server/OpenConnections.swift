import NIOCore
import Synchronization

/// The client connections a listener accepted that are still open, so a drain that runs out of time can close them
/// while the event loops still run. Left to the event-loop group's shutdown, their closing would make the quiescing
/// helper hop to the listener's loop after that loop stopped ("Cannot schedule tasks on an EventLoop that has
/// already shut down"). Touched on accept and close only, never per request.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Tracks `channel` until it closes.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in
            _ = self.channels.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Closes every connection still open; the future completes when all have closed.
    func closeAll(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let open = channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
        return EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: eventLoop)
    }
}
