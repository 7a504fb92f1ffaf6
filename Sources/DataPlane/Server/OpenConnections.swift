import NIOCore
import Synchronization

/// The client connections the listeners accepted that are still open: graceful shutdown asks each to finish
/// (``quiesce(on:)``) and waits for them, and a drain that runs out of time closes the rest while the event loops
/// still run (``closeAll(on:)``). One tracker for every listener, instead of a quiescing helper per listening socket
/// besides it: each connection costs one insert and one close callback. Touched on accept and close only, never per
/// request.
final class OpenConnections: Sendable {
    /// The tracked channels and the drain in progress.
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Graceful shutdown began: connections added from now on are asked to finish as they arrive.
        var quiescing = false
        /// Completed when the last tracked connection closes during the drain.
        var drained: EventLoopPromise<Void>?
    }

    private let state = Mutex(State())

    /// Tracks `channel` until it closes. Called from the channel's initializer, before its handlers are added: a
    /// connection that arrives while draining is asked to finish once they are.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let quiescing = state.withLock { state in
            state.channels[id] = channel
            return state.quiescing
        }
        channel.closeFuture.whenComplete { _ in self.remove(id) }
        if quiescing {
            channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        }
    }

    private func remove(_ id: ObjectIdentifier) {
        let drained: EventLoopPromise<Void>? = state.withLock { state in
            state.channels.removeValue(forKey: id)
            guard state.channels.isEmpty, let drained = state.drained else { return nil }
            state.drained = nil
            return drained
        }
        drained?.succeed(())
    }

    /// Asks every open connection to finish (`ChannelShouldQuiesceEvent`: idle HTTP/1.1 connections close, busy ones
    /// after their current response, HTTP/2 sends GOAWAY); the future completes when none is open. Call once the
    /// listeners are closed.
    func quiesce(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let open: [any Channel] = state.withLock { state in
            state.quiescing = true
            if state.channels.isEmpty { return [] }
            state.drained = promise
            return Array(state.channels.values)
        }
        if open.isEmpty { promise.succeed(()) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        return promise.futureResult
    }

    /// Closes every connection still open; the future completes when all have closed.
    func closeAll(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let open = state.withLock { Array($0.channels.values) }
        for channel in open { channel.close(promise: nil) }
        return EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: eventLoop)
    }
}
