import DataPlane
import Routing

/// Everything `gatehouse serve` needs, from flags: where objects come from, routing options, listeners.
public struct GatehouseConfiguration: Sendable {
    /// Manifest files and directories (standalone mode).
    public var manifestPaths: [String]
    /// Routing options (classes, controller name).
    public var routing: RoutingOptions
    /// Data-plane settings (bind address, HTTP port, limits).
    public var proxy: ProxyConfiguration
    /// The admin port (0 picks a free port).
    public var adminPort: Int
    /// Whether failing to bind the admin port stops the server (an explicit `--admin-port`).
    public var adminPortRequired: Bool
    /// Start an echo backend for every loopback endpoint in the manifests (demos and the tutorial).
    public var demoBackends: Bool
    /// How often manifest files are checked for changes.
    public var pollInterval: Duration
    /// Event-loop threads (nil: one per core).
    public var threads: Int?

    /// Creates a configuration.
    public init(
        manifestPaths: [String],
        routing: RoutingOptions = RoutingOptions(),
        proxy: ProxyConfiguration = ProxyConfiguration(),
        adminPort: Int = 10254,
        adminPortRequired: Bool = true,
        demoBackends: Bool = false,
        pollInterval: Duration = .milliseconds(150),
        threads: Int? = nil
    ) {
        self.manifestPaths = manifestPaths
        self.routing = routing
        self.proxy = proxy
        self.adminPort = adminPort
        self.adminPortRequired = adminPortRequired
        self.demoBackends = demoBackends
        self.pollInterval = pollInterval
        self.threads = threads
    }
}
