import KubeModel

/// Identifies one Service port: the unit of load balancing. Stable across snapshots, so per-cluster state
/// (round-robin position, connection pools) survives a swap.
public struct ClusterID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The Service's namespace.
    public var namespace: String
    /// The Service's name.
    public var service: String
    /// The Service port number (a port referenced by name is resolved to its number).
    public var port: Int

    /// Creates an ID.
    public init(namespace: String, service: String, port: Int) {
        self.namespace = namespace
        self.service = service
        self.port = port
    }

    /// `namespace/service:port`.
    public var description: String { "\(namespace)/\(service):\(port)" }

    /// Orders by namespace, service, port.
    public static func < (lhs: ClusterID, rhs: ClusterID) -> Bool {
        (lhs.namespace, lhs.service, lhs.port) < (rhs.namespace, rhs.service, rhs.port)
    }
}

/// One address a cluster can send requests to (a Pod's IP and target port, or an ExternalName host).
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// An IP address, or a DNS name for ExternalName Services.
    public var host: String
    /// The port on the Pod.
    public var port: Int
    /// Whether the endpoint receives traffic (`conditions.ready` is not false).
    public var ready: Bool
    /// The Pod behind the endpoint, when known.
    public var pod: ObjectRef?

    /// Creates an endpoint.
    public init(host: String, port: Int, ready: Bool = true, pod: ObjectRef? = nil) {
        self.host = host
        self.port = port
        self.ready = ready
        self.pod = pod
    }

    /// `host:port`, with brackets around IPv6 addresses.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How a cluster spreads requests over its ready endpoints.
public enum LoadBalancingPolicy: String, Hashable, Sendable {
    /// Each request goes to the next ready endpoint in turn.
    case roundRobin = "round-robin"
}

/// A Service port resolved to endpoints.
public struct Cluster: Hashable, Sendable {
    /// The Service port this cluster stands for.
    public var id: ClusterID
    /// The Service port's name, if it has one.
    public var portName: String?
    /// Every endpoint found, ready or not (explain and lint show them all).
    public var allEndpoints: [Endpoint]
    /// The endpoints that receive traffic, in a stable order.
    public var endpoints: [Endpoint]
    /// The balancing policy.
    public var loadBalancing: LoadBalancingPolicy
    /// Where the endpoints came from (`EndpointSlice`, `Pod` selection, `ExternalName`, or none).
    public var endpointSource: String

    /// Creates a cluster; `endpoints` is derived from `allEndpoints`.
    public init(
        id: ClusterID,
        portName: String?,
        allEndpoints: [Endpoint],
        loadBalancing: LoadBalancingPolicy = .roundRobin,
        endpointSource: String
    ) {
        self.id = id
        self.portName = portName
        self.allEndpoints = allEndpoints
        self.endpoints = allEndpoints.filter(\.ready)
        self.loadBalancing = loadBalancing
        self.endpointSource = endpointSource
    }
}
