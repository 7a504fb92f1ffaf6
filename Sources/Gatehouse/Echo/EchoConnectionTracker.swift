import NIOCore

/// Sits on the echo's listening channel and remembers every accepted connection until it closes, so
/// ``EchoServer/stop()`` can close them all.
final class EchoConnectionTracker: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    /// Open connections by identity.
    private var connections: [ObjectIdentifier: any Channel] = [:]
    /// Set once stopping: connections accepted after that are closed at once.
    private var stopping = false

    /// Records an accepted connection and forgets it when it closes.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = Self.unwrapInboundIn(data)
        if self.stopping {
            connection.close(promise: nil)
            return
        }
        let id = ObjectIdentifier(connection)
        self.connections[id] = connection
        connection.closeFuture.hop(to: context.eventLoop).assumeIsolated().whenComplete { _ in
            self.connections[id] = nil
        }
        context.fireChannelRead(data)
    }

    /// Stops tracking and returns the connections still open; the caller closes them.
    func stop() -> [any Channel] {
        self.stopping = true
        let open = Array(self.connections.values)
        self.connections = [:]
        return open
    }
}
