import NIOCore
import Routing
import Synchronization

/// One endpoint as the data plane dials it: a Pod IP, or a host name to resolve. Identity is host and port; the hash
/// is computed once, since pools look endpoints up on every request. A class, so that an exchange, its tries and its
/// pool key share one instance instead of copying the fields. The socket address is parsed when a connection is
/// dialled (rare: connections are pooled), not kept: a parsed address is a box of its own per endpoint.
final class UpstreamEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The IP address or DNS name.
    let host: String
    /// The port.
    let port: Int
    private let hash: Int

    init(_ endpoint: Endpoint) {
        host = endpoint.host
        port = endpoint.port
        var hasher = Hasher()
        hasher.combine(endpoint.host)
        hasher.combine(endpoint.port)
        hash = hasher.finalize()
    }

    /// The socket address, when the host is an IP literal (nil for a name to resolve).
    var address: SocketAddress? { try? SocketAddress(ipAddress: host, port: port) }

    static func == (lhs: UpstreamEndpoint, rhs: UpstreamEndpoint) -> Bool {
        lhs.hash == rhs.hash && lhs.port == rhs.port && lhs.host == rhs.host
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    /// `host:port`.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The live side of a ``Cluster``: its ready endpoints and the shared round-robin position. Kept across snapshot
/// swaps while the cluster exists, so balancing continues where it was.
final class ClusterRuntime: Sendable {
    /// The cluster's identity.
    let id: ClusterID
    /// Ready endpoints, in the snapshot's order.
    let endpoints: [UpstreamEndpoint]
    /// The next round-robin position (shared by every event loop).
    private let position: Atomic<Int>

    init(id: ClusterID, endpoints: [UpstreamEndpoint], position: Int = 0) {
        self.id = id
        self.endpoints = endpoints
        self.position = Atomic(position)
    }

    /// The current round-robin position, to carry into a replacement runtime.
    var currentPosition: Int { position.load(ordering: .relaxed) }

    /// The next endpoint in round-robin order; nil when the cluster has none.
    func next() -> UpstreamEndpoint? {
        let count = endpoints.count
        if count == 0 { return nil }
        if count == 1 { return endpoints[0] }
        let turn = position.wrappingAdd(1, ordering: .relaxed).oldValue
        return endpoints[Int(UInt(bitPattern: turn) % UInt(count))]
    }

    /// The next endpoint not yet tried in this exchange (for retries); nil when all were tried.
    func next(excluding tried: TriedEndpoints) -> UpstreamEndpoint? {
        if tried.isEmpty { return next() }
        for _ in 0..<endpoints.count {
            guard let candidate = next() else { return nil }
            if !tried.contains(candidate) { return candidate }
        }
        return nil
    }
}

/// A routing snapshot plus the live cluster runtimes its routes point to (same indexes).
final class DataPlaneSnapshot: Sendable {
    /// The routing snapshot.
    let routing: RoutingSnapshot
    /// One runtime per cluster of `routing.clusters`.
    let clusters: [ClusterRuntime]

    /// The route for a normalized host and path (nil: 404); `memo` is an event loop's memo of this snapshot's table.
    /// A method, so the table is borrowed from the snapshot: matched through a caller's local reference to the
    /// snapshot, the table's fields would be copied (retained and released) for every request.
    func route(host: String, path: String, memo: inout HostRoutesMemo) -> Route? {
        routing.routeTable.match(host: host, path: path, memo: &memo)
    }

    /// Wraps `routing`, reusing runtimes of `previous` for clusters that still exist. Clusters are numbered in ID
    /// order, so most keep their index: a cluster is looked for at its own index first, by ID only when that misses;
    /// an unchanged runtime is reused without building its endpoints again.
    init(_ routing: RoutingSnapshot, previous: DataPlaneSnapshot?) {
        let before = previous?.clusters ?? []
        var byID: [ClusterID: ClusterRuntime]?
        self.routing = routing
        self.clusters = routing.clusters.enumerated().map { index, cluster in
            var existing: ClusterRuntime?
            if index < before.count && before[index].id == cluster.id {
                existing = before[index]
            } else if !before.isEmpty {
                if byID == nil { byID = Dictionary(before.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
                existing = byID?[cluster.id]
            }
            guard let existing else { return ClusterRuntime(id: cluster.id, endpoints: cluster.endpoints.map(UpstreamEndpoint.init)) }
            if existing.endpoints.count == cluster.endpoints.count
                && zip(existing.endpoints, cluster.endpoints).allSatisfy({ $0.host == $1.host && $0.port == $1.port })
            {
                return existing
            }
            return ClusterRuntime(
                id: cluster.id, endpoints: cluster.endpoints.map(UpstreamEndpoint.init), position: existing.currentPosition)
        }
    }

    /// The empty snapshot served before the first publish.
    static let empty = DataPlaneSnapshot(.empty, previous: nil)
}

/// The endpoints an exchange tried, in order. The first is kept inline: most exchanges try one, and an array
/// would be allocated for it on every request.
struct TriedEndpoints {
    private var first: UpstreamEndpoint?
    private var more: [UpstreamEndpoint] = []

    /// How many were tried.
    var count: Int { first == nil ? 0 : 1 + more.count }
    /// Whether none was tried yet.
    var isEmpty: Bool { first == nil }

    /// Records a try of `endpoint`.
    mutating func append(_ endpoint: UpstreamEndpoint) {
        if first == nil { first = endpoint } else { more.append(endpoint) }
    }

    /// Forgets the last try.
    mutating func removeLast() {
        if more.isEmpty { first = nil } else { more.removeLast() }
    }

    /// Whether `endpoint` was tried.
    func contains(_ endpoint: UpstreamEndpoint) -> Bool {
        first == endpoint || more.contains(endpoint)
    }
}
