import ControlPlane
import DataPlane
import KubeModel
import Logging
import NIOCore
import NIOPosix
import Routing
import ServiceLifecycle

/// Wires the services of `gatehouse serve`: file provider → publisher → data plane, plus the admin server,
/// run as one service group that drains in reverse order on SIGTERM or SIGINT.
public final class GatehouseApp: Sendable {
    /// The configuration.
    public let configuration: GatehouseConfiguration
    /// The proxy listener (its port is readable once bound).
    public let proxy: ProxyServer
    /// The admin listener.
    public let admin: AdminServer
    /// The snapshot publisher (the latest snapshot and its issues).
    public let publisher: SnapshotPublisher
    private let provider: FileProvider
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger

    /// Builds the services; nothing listens until ``run()``. Generates the default TLS certificate.
    public init(configuration: GatehouseConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads ?? System.coreCount)
        self.group = group
        let metrics = ProxyMetrics()
        let certificates = try CertificateStore(fallback: try DefaultCertificate.generate(), logger: logger)
        logger.info("generated the Gatehouse default certificate (self-signed, for unknown names and unusable Secrets)")
        let live = LiveSnapshot(group: group, configuration: configuration.proxy, metrics: metrics, certificates: certificates)
        let publisher = SnapshotPublisher(options: configuration.routing, store: live, logger: logger, inspector: X509CertificateInspector())
        self.publisher = publisher
        self.provider = FileProvider(
            paths: configuration.manifestPaths,
            publisher: publisher,
            logger: logger,
            pollInterval: configuration.pollInterval
        )
        self.proxy = ProxyServer(configuration: configuration.proxy, group: group, live: live, certificates: certificates, logger: logger)
        let status = AdminStatus(
            ready: { live.isReady },
            metrics: {
                let snapshot = publisher.current
                var text = metrics.prometheusText()
                text += "# HELP gatehouse_snapshot_version Version of the routing snapshot in use.\n"
                text += "# TYPE gatehouse_snapshot_version gauge\ngatehouse_snapshot_version \(snapshot.version)\n"
                text += "# HELP gatehouse_config_issues Problems in the current configuration by severity.\n"
                text += "# TYPE gatehouse_config_issues gauge\n"
                text += "gatehouse_config_issues{severity=\"error\"} \(snapshot.issues.filter { $0.severity == .error }.count)\n"
                text += "gatehouse_config_issues{severity=\"warning\"} \(snapshot.issues.filter { $0.severity == .warning }.count)\n"
                return text
            }
        )
        self.admin = AdminServer(
            host: configuration.proxy.bindAddress,
            port: configuration.adminPort,
            portRequired: configuration.adminPortRequired,
            group: group,
            status: status,
            logger: logger
        )
    }

    /// Runs until SIGTERM/SIGINT (or cancellation), then drains and stops.
    public func run() async throws {
        provider.loadInitial()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if configuration.demoBackends {
            services.append(.init(service: DemoBackends(state: provider.initialState, group: group, logger: logger)))
        }
        services += [.init(service: provider), .init(service: admin), .init(service: proxy)]
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await serviceGroup.run()
        try await group.shutdownGracefully()
    }
}
