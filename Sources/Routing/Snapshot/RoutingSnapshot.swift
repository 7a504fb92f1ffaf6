import KubeModel

/// Everything the data plane needs, built whole from one ``ClusterState`` and swapped in one step.
/// In-flight requests keep the snapshot they started with.
public struct RoutingSnapshot: Sendable {
    /// Increases with every published snapshot.
    public var version: Int
    /// Host and path routing.
    public var routeTable: RouteTable
    /// Resolved Service ports; routes refer to them by index.
    public var clusters: [Cluster]
    /// Problems found in the objects this snapshot was built from (sorted).
    public var issues: [ConfigIssue]
    /// The Ingresses this controller serves (class matched and admitted), sorted.
    public var servedIngresses: [ObjectRef]
    /// SNI name → certificate.
    public var tls: TLSTable

    /// Creates a snapshot.
    public init(
        version: Int,
        routeTable: RouteTable,
        clusters: [Cluster],
        issues: [ConfigIssue],
        servedIngresses: [ObjectRef],
        tls: TLSTable = TLSTable()
    ) {
        self.version = version
        self.routeTable = routeTable
        self.clusters = clusters
        self.issues = issues
        self.servedIngresses = servedIngresses
        self.tls = tls
    }

    /// A snapshot with no routes (every request 404), used before the first build.
    public static let empty = RoutingSnapshot(version: 0, routeTable: .empty, clusters: [], issues: [], servedIngresses: [])

    /// The cluster a backend refers to.
    public func cluster(for backend: RouteBackend) -> Cluster? {
        if case .cluster(let index) = backend { return clusters[index] }
        return nil
    }
}
