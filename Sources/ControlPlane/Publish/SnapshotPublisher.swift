import Foundation
import KubeModel
import Logging
import Routing
import Synchronization

/// Builds snapshots from cluster states and hands them to the data plane: build (incrementally), then swap whole.
/// Issues are logged once, when they first appear; the latest snapshot stays readable for the admin server.
public final class SnapshotPublisher: Sendable {
    /// Controller settings for the builder.
    public let options: RoutingOptions
    private let store: any SnapshotStore
    private let logger: Logger
    /// The certificate inspector, remembering its verdicts by content from one build to the next.
    private let inspector: CachingCertificateInspector?
    private let clock: @Sendable () -> Int
    private let latest: Mutex<(snapshot: RoutingSnapshot, issues: Set<ConfigIssue>)>
    /// Builds each snapshot from the previous one, redoing what the changed objects touch.
    private let builder = Mutex(IncrementalSnapshotBuilder())

    /// Creates a publisher that publishes into `store`; `inspector` checks TLS Secrets (each content once while it
    /// stays in use), `clock` gives the time (seconds since 1970) their validity is checked against.
    public init(
        options: RoutingOptions,
        store: any SnapshotStore,
        logger: Logger,
        inspector: (any CertificateInspector)? = nil,
        clock: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.options = options
        self.store = store
        self.logger = logger
        self.inspector = inspector.map { CachingCertificateInspector($0) }
        self.clock = clock
        self.latest = Mutex((RoutingSnapshot.empty, []))
    }

    /// The most recently published snapshot.
    public var current: RoutingSnapshot { latest.withLock { $0.snapshot } }

    /// Builds a snapshot from `state`, publishes it, and logs issues that were not present before.
    @discardableResult
    public func publish(_ state: ClusterState) -> RoutingSnapshot {
        let version = latest.withLock { $0.snapshot.version } + 1
        let now = clock()
        let timer = ContinuousClock()
        let started = timer.now
        let snapshot = builder.withLock { $0.build(state: state, options: options, inspector: inspector, now: now, version: version) }
        inspector?.sweep()
        let built = timer.now
        // The data plane first: once `current` (the admin server's version) shows it, the snapshot is in use.
        store.publish(snapshot)
        let handedOver = timer.now
        let previous = latest.withLock { value in
            let old = value.issues
            value = (snapshot, Set(snapshot.issues))
            return old
        }
        for issue in snapshot.issues where !previous.contains(issue) {
            switch issue.severity {
            case .error: logger.error("\(issue)")
            case .warning: logger.warning("\(issue)")
            }
        }
        logger.info(
            "snapshot published",
            metadata: [
                "version": "\(snapshot.version)", "ingresses": "\(snapshot.servedIngresses.count)",
                "clusters": "\(snapshot.clusters.count)", "issues": "\(snapshot.issues.count)",
                "build_ms": "\((built - started).wholeMilliseconds)", "handover_ms": "\((handedOver - built).wholeMilliseconds)",
            ]
        )
        return snapshot
    }
}
