import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 backend for demos, tests and benchmarks (`gatehouse echo`): it answers every request
/// with a JSON description of what it received, and changes behaviour on `X-Echo-*` request headers
/// (see ``EchoOptions``). `GET /healthz` answers `ok`.
public final class EchoServer: Sendable {
    /// The name reported in every response (`name` in the JSON, `X-Echo-Name` header).
    public let name: String
    /// The port the server is bound to (the ephemeral port chosen when started with port 0).
    public let localPort: Int
    /// The listening channel.
    private let channel: any Channel

    /// Creates the handle for a bound listener.
    private init(name: String, localPort: Int, channel: any Channel) {
        self.name = name
        self.localPort = localPort
        self.channel = channel
    }

    /// Binds `host:port` (port 0 picks an ephemeral port) and starts serving on `group`; returns once bound.
    public static func start(
        host: String = "127.0.0.1",
        port: Int,
        name: String,
        group: any EventLoopGroup
    ) async throws -> EchoServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Accepted sockets inherit the listener's TCP_NODELAY.
            .serverChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoConnectionTracker())
                }
            }
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(serverName: name))
                }
            }
            .bind(host: host, port: port)
            .get()
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close()
            throw EchoServerError.noLocalPort
        }
        return EchoServer(name: name, localPort: boundPort, channel: channel)
    }

    /// Stops accepting, closes every open connection (in-flight responses are cut off) and waits for the
    /// listener to close. Calling it again does nothing.
    public func stop() async throws {
        let listener = self.channel
        let open: [any Channel] = try await listener.eventLoop.submit {
            let open = (try? listener.pipeline.syncOperations.handler(type: EchoConnectionTracker.self).stop()) ?? []
            listener.close(promise: nil)
            return open
        }.get()
        for connection in open {
            connection.close(promise: nil)
        }
        try await listener.closeFuture.get()
        for connection in open {
            try await connection.closeFuture.get()
        }
    }
}

/// Why ``EchoServer/start(host:port:name:group:)`` failed after binding.
public enum EchoServerError: Error, Sendable {
    /// The bound socket reported no local port.
    case noLocalPort
}
