import NIOCore
import Routing
import Synchronization

/// Per-event-loop state of the data plane: the current snapshot, the upstream pool, the date cache and the
/// request-ID generator. Touched only on its own event loop, so the request path takes no lock.
final class LoopContext: @unchecked Sendable {
    // Safety: every member is read and written on `eventLoop` only (asserted in debug builds).

    /// The loop this context belongs to.
    let eventLoop: any EventLoop
    /// The snapshot new requests use. Replacing it forgets ``hostMemo``.
    var snapshot: DataPlaneSnapshot { didSet { hostMemo = HostRoutesMemo() } }
    /// The host routes of the host looked up last in `snapshot`'s table (most connections send one host).
    var hostMemo = HostRoutesMemo()
    /// Idle upstream connections of this loop.
    let pool: UpstreamPool
    /// The deadlines of this loop's connections and streams.
    let timers: LoopTimers
    /// The client-side timeouts of `configuration`, converted once (reading a `Duration`'s components is slow, and
    /// they are armed several times per request).
    let clientTimeouts: ClientTimeouts
    /// The cached `Date` header value.
    var dateCache = HTTPDateCache()
    /// The request-ID generator.
    var random = FastRandom()
    /// Settings.
    let configuration: ProxyConfiguration
    /// Shared counters.
    let metrics: ProxyMetrics
    /// The HTTPS port redirect locations name: the configured one, or the port actually bound when that is 0.
    var redirectHTTPSPort: Int
    /// The pipe request bodies are spliced through, once made.
    private var pipe: SplicePipe?

    /// The loop's pipe for splicing request bodies, made on first use (again if the last one broke); nil when the
    /// system gives none (the body is then copied).
    var splicePipe: SplicePipe? {
        if let pipe, !pipe.broken { return pipe }
        pipe = SplicePipe()
        return pipe
    }

    init(eventLoop: any EventLoop, snapshot: DataPlaneSnapshot, configuration: ProxyConfiguration, metrics: ProxyMetrics) {
        self.eventLoop = eventLoop
        self.snapshot = snapshot
        self.configuration = configuration
        self.metrics = metrics
        self.redirectHTTPSPort = configuration.redirectHTTPSPort
        self.pool = UpstreamPool(eventLoop: eventLoop, configuration: configuration, metrics: metrics)
        self.timers = LoopTimers(eventLoop: eventLoop)
        self.clientTimeouts = ClientTimeouts(configuration)
    }
}

/// The client-side timeouts as NIO time amounts.
struct ClientTimeouts {
    /// `clientHeaderTimeout`.
    let header: TimeAmount
    /// `clientBodyTimeout`.
    let body: TimeAmount
    /// `keepAliveTimeout`.
    let keepAlive: TimeAmount

    init(_ configuration: ProxyConfiguration) {
        header = TimeAmount(configuration.clientHeaderTimeout)
        body = TimeAmount(configuration.clientBodyTimeout)
        keepAlive = TimeAmount(configuration.keepAliveTimeout)
    }
}

/// The data plane's ``SnapshotStore``: publishing wraps the snapshot once and hands it to every event loop,
/// where new requests pick it up; requests in flight keep the one they started with.
public final class LiveSnapshot: SnapshotStore, @unchecked Sendable {
    // Safety: `contexts` is immutable after init and each context is only touched on its own loop.

    private let contexts: [ObjectIdentifier: LoopContext]
    private let certificates: CertificateStore?
    private let state = Mutex<(latest: DataPlaneSnapshot, published: Bool)>((.empty, false))

    /// Creates per-loop contexts for every loop of `group`; `certificates` receives each snapshot's TLS table.
    public init(group: any EventLoopGroup, configuration: ProxyConfiguration, metrics: ProxyMetrics, certificates: CertificateStore? = nil)
    {
        self.certificates = certificates
        var contexts: [ObjectIdentifier: LoopContext] = [:]
        for loop in group.makeIterator() {
            contexts[ObjectIdentifier(loop)] = LoopContext(
                eventLoop: loop, snapshot: .empty, configuration: configuration, metrics: metrics)
        }
        self.contexts = contexts
    }

    /// Whether a snapshot has been published (readiness).
    public var isReady: Bool { state.withLock { $0.published } }

    /// The version of the latest published snapshot (0 before the first).
    public var version: Int { state.withLock { $0.latest.routing.version } }

    /// Swaps in `snapshot` on every event loop.
    public func publish(_ snapshot: RoutingSnapshot) {
        certificates?.update(snapshot.tls)
        state.withLock { value in
            value = (DataPlaneSnapshot(snapshot, previous: value.latest), true)
        }
        for context in contexts.values {
            // Read the latest under the lock when the loop runs, so concurrent publishes can't land out of order.
            context.eventLoop.execute { context.snapshot = self.state.withLock { $0.latest } }
        }
    }

    /// Sets the HTTPS port of redirect locations on every loop (the bound port, when the configuration said 0).
    func setRedirectHTTPSPort(_ port: Int) {
        for context in contexts.values {
            context.eventLoop.execute { context.redirectHTTPSPort = port }
        }
    }

    /// Closes every idle upstream connection (after the listeners drained).
    func closeIdleUpstreams() {
        for context in contexts.values {
            context.eventLoop.execute { context.pool.closeAll() }
        }
    }

    /// The context of `loop`.
    func context(for loop: any EventLoop) -> LoopContext? {
        contexts[ObjectIdentifier(loop)]
    }
}
