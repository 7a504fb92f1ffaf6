/// Core v1 Service: a stable name and ports in front of a set of Pods.
public struct Service: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// Ports, selector and type.
    public var spec: ServiceSpec?

    /// Creates a Service.
    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The `spec` of a ``Service``.
public struct ServiceSpec: Codable, Hashable, Sendable {
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    /// Pods selected by label (their addresses land in EndpointSlices).
    public var selector: [String: String]?
    /// The ports the Service exposes.
    public var ports: [ServicePort]?
    /// The virtual IP (unused by Gatehouse: it proxies straight to Pods).
    public var clusterIP: String?
    /// The DNS name for `ExternalName` Services.
    public var externalName: String?

    /// Creates a spec.
    public init(
        type: String? = nil,
        selector: [String: String]? = nil,
        ports: [ServicePort]? = nil,
        clusterIP: String? = nil,
        externalName: String? = nil
    ) {
        self.type = type
        self.selector = selector
        self.ports = ports
        self.clusterIP = clusterIP
        self.externalName = externalName
    }
}

/// One port of a ``Service``.
public struct ServicePort: Codable, Hashable, Sendable {
    /// The port's name (required when the Service has several ports).
    public var name: String?
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The Service's port number.
    public var port: Int?
    /// The Pods' port, by number or container port name.
    public var targetPort: IntOrString?
    /// The node port for NodePort and LoadBalancer Services.
    public var nodePort: Int?
    /// The application protocol hint, e.g. `http`, `kubernetes.io/h2c`.
    public var appProtocol: String?

    /// Creates a port.
    public init(
        name: String? = nil,
        protocol: String? = nil,
        port: Int? = nil,
        targetPort: IntOrString? = nil,
        nodePort: Int? = nil,
        appProtocol: String? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
        self.appProtocol = appProtocol
    }
}
