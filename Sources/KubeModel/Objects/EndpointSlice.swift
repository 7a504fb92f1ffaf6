/// `discovery.k8s.io/v1` EndpointSlice: the addresses and ports behind (part of) a Service.
public struct EndpointSlice: Codable, Hashable, Sendable {
    /// Object metadata; the label ``serviceNameLabel`` names the owning Service.
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String?
    /// The endpoints (one per Pod).
    public var endpoints: [Endpoint]?
    /// The ports every endpoint of this slice exposes.
    public var ports: [EndpointPort]?

    /// Creates a slice.
    public init(
        metadata: ObjectMeta,
        addressType: String? = nil,
        endpoints: [Endpoint]? = nil,
        ports: [EndpointPort]? = nil
    ) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The label linking a slice to its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    /// The Service this slice belongs to.
    public var serviceName: String? { metadata.label(Self.serviceNameLabel) }

    /// One endpoint of a slice: addresses of one Pod and its conditions.
    public struct Endpoint: Codable, Hashable, Sendable {
        /// The Pod's addresses (usually one).
        public var addresses: [String]?
        /// Readiness conditions.
        public var conditions: Conditions?
        /// The Pod's hostname, when set.
        public var hostname: String?
        /// The node the Pod runs on.
        public var nodeName: String?
        /// The Pod the endpoint stands for.
        public var targetRef: TargetRef?
        /// The zone of the endpoint.
        public var zone: String?

        /// Creates an endpoint.
        public init(
            addresses: [String]? = nil,
            conditions: Conditions? = nil,
            hostname: String? = nil,
            nodeName: String? = nil,
            targetRef: TargetRef? = nil
        ) {
            self.addresses = addresses
            self.conditions = conditions
            self.hostname = hostname
            self.nodeName = nodeName
            self.targetRef = targetRef
        }
    }

    /// Endpoint conditions; a nil value means "unknown", which counts as ready.
    public struct Conditions: Codable, Hashable, Sendable {
        /// Ready to receive traffic.
        public var ready: Bool?
        /// Serving (may be true while terminating).
        public var serving: Bool?
        /// Shutting down.
        public var terminating: Bool?

        /// Creates conditions.
        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    /// The object an endpoint stands for (a Pod).
    public struct TargetRef: Codable, Hashable, Sendable {
        /// Usually `Pod`.
        public var kind: String?
        /// The Pod's namespace.
        public var namespace: String?
        /// The Pod's name.
        public var name: String?

        /// Creates a reference.
        public init(kind: String? = nil, namespace: String? = nil, name: String? = nil) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }
    }
}

/// A port of an ``EndpointSlice`` (named like the Service port it serves).
public struct EndpointPort: Codable, Hashable, Sendable {
    /// The Service port's name (empty or nil for an unnamed port).
    public var name: String?
    /// The port number on the endpoints.
    public var port: Int?
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The application protocol.
    public var appProtocol: String?

    /// Creates a port.
    public init(name: String? = nil, port: Int? = nil, protocol: String? = nil, appProtocol: String? = nil) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
        self.appProtocol = appProtocol
    }
}
