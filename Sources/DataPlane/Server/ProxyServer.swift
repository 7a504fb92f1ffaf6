import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

/// The plain-HTTP listener: accepts client connections and gives each a ``ProxyHandler`` on its event loop.
/// On graceful shutdown it stops accepting, lets in-flight requests finish (idle connections close at once,
/// busy ones after their current response), then closes the idle upstream connections.
public final class ProxyServer: Service, Sendable {
    private let configuration: ProxyConfiguration
    private let group: any EventLoopGroup
    private let live: LiveSnapshot
    private let logger: Logger
    private let bound: EventLoopPromise<Int>

    /// Creates a server publishing through `live` (whose contexts must belong to `group`).
    public init(configuration: ProxyConfiguration, group: any EventLoopGroup, live: LiveSnapshot, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.live = live
        self.logger = logger
        self.bound = group.next().makePromise(of: Int.self)
    }

    /// The port actually bound (useful with port 0), once listening.
    public func boundPort() async throws -> Int { try await bound.futureResult.get() }

    /// Listens until graceful shutdown, then drains.
    public func run() async throws {
        let quiesce = ServerQuiescingHelper(group: group)
        let live = self.live
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                    }
                }
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let context = live.context(for: channel.eventLoop) else {
                            throw ChannelError.badInterfaceAddressFamily
                        }
                        try channel.pipeline.syncOperations.addHandler(ProxyHandler(loop: context))
                    }
                }
                .bind(host: configuration.bindAddress, port: configuration.httpPort)
                .get()
        } catch {
            bound.fail(error)
            throw error
        }
        let port = channel.localAddress?.port ?? configuration.httpPort
        bound.succeed(port)
        logger.info("listening", metadata: ["protocol": "http", "address": "\(configuration.bindAddress):\(port)"])

        try? await gracefulShutdown()
        logger.info("draining HTTP connections")
        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        let timeout = group.next().scheduleTask(in: TimeAmount(configuration.drainTimeout)) {
            drained.succeed(())
        }
        try? await drained.futureResult.get()
        timeout.cancel()
        live.closeIdleUpstreams()
        logger.info("HTTP listener stopped")
    }
}
