import NIOCore
import NIOPosix

/// The idle upstream connections of one event loop, by endpoint. Used only on its loop, so it takes no lock.
/// Connections idle longer than the idle timeout are closed by a sweep that runs while any are idle.
final class UpstreamPool {
    private let eventLoop: any EventLoop
    private let configuration: ProxyConfiguration
    private let metrics: ProxyMetrics
    private var idle: [UpstreamEndpoint: [UpstreamConnection]] = [:]
    private var idleCount = 0
    private var sweep: Scheduled<Void>?
    /// Response parsing limits for new connections.
    let limits: HTTP1Limits

    init(eventLoop: any EventLoop, configuration: ProxyConfiguration, metrics: ProxyMetrics) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.metrics = metrics
        self.limits = HTTP1Limits(maxHeadBytes: 64 * 1024, maxHeaderCount: 200, maxRequestLineBytes: 8192)
    }

    /// An idle, open connection to `endpoint`, if there is one (most recently used first).
    func takeIdle(_ endpoint: UpstreamEndpoint) -> UpstreamConnection? {
        while var stack = idle[endpoint], let connection = stack.popLast() {
            idle[endpoint] = stack.isEmpty ? nil : stack
            idleCount -= 1
            if connection.channel.isActive {
                connection.reused = true
                return connection
            }
        }
        return nil
    }

    /// Opens a new connection to `endpoint` on this loop.
    func connect(_ endpoint: UpstreamEndpoint, timeout: TimeAmount) -> EventLoopFuture<UpstreamConnection> {
        metrics.upstreamConnects.wrappingAdd(1, ordering: .relaxed)
        let limits = self.limits
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(limits: limits))
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let address = endpoint.address {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: endpoint.endpoint.host, port: endpoint.endpoint.port)
        }
        return connected.flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
            return UpstreamConnection(channel: channel, endpoint: endpoint, handler: handler)
        }
    }

    /// Returns a connection whose exchange completed cleanly; closes it when the pool for its endpoint is full.
    func release(_ connection: UpstreamConnection) {
        connection.handler.delegate = nil
        guard connection.channel.isActive, (idle[connection.endpoint]?.count ?? 0) < configuration.maxIdlePerEndpoint else {
            connection.close()
            return
        }
        connection.idleSince = .now()
        connection.handler.resumeReading()
        let endpoint = connection.endpoint
        connection.handler.onClose = { [weak self, weak connection] in
            guard let self, let connection else { return }
            self.forget(connection, endpoint: endpoint)
        }
        idle[endpoint, default: []].append(connection)
        idleCount += 1
        scheduleSweep()
    }

    /// Closes a connection that cannot be reused.
    func discard(_ connection: UpstreamConnection) {
        connection.handler.delegate = nil
        connection.handler.onClose = nil
        connection.close()
    }

    /// Removes a closed connection from the idle lists.
    private func forget(_ connection: UpstreamConnection, endpoint: UpstreamEndpoint) {
        guard var stack = idle[endpoint], let index = stack.firstIndex(where: { $0 === connection }) else { return }
        stack.remove(at: index)
        idle[endpoint] = stack.isEmpty ? nil : stack
        idleCount -= 1
    }

    /// Closes every idle connection (shutdown).
    func closeAll() {
        let all = idle.values.joined()
        idle = [:]
        idleCount = 0
        for connection in all {
            connection.handler.onClose = nil
            connection.close()
        }
        sweep?.cancel()
        sweep = nil
    }

    /// Runs the idle sweep while connections are idle.
    private func scheduleSweep() {
        guard sweep == nil else { return }
        let interval = TimeAmount.seconds(1)
        sweep = eventLoop.assumeIsolated().scheduleTask(in: interval) { [weak self] in
            guard let self else { return }
            self.sweep = nil
            let limit = NIODeadline.now() - TimeAmount(self.configuration.upstreamIdleTimeout)
            for (endpoint, stack) in self.idle {
                let expired = stack.filter { $0.idleSince < limit }
                for connection in expired {
                    self.forget(connection, endpoint: endpoint)
                    connection.handler.onClose = nil
                    connection.close()
                }
            }
            if self.idleCount > 0 { self.scheduleSweep() }
        }
    }
}

extension TimeAmount {
    /// Converts a Swift `Duration` (whole nanoseconds).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
