/// Core v1 Service: a stable name and ports in front of a set of Pods.
public struct Service: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// Ports, selector and type.
    public var spec: ServiceSpec?
    /// What the cluster reports: the load balancer's addresses for `LoadBalancer` Services.
    public var status: ServiceStatus?

    /// Creates a Service.
    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil, status: ServiceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The `status` of a ``Service``.
public struct ServiceStatus: Codable, Hashable, Sendable {
    /// The load balancer in front of a `LoadBalancer` Service, once the cloud provider assigned one.
    public var loadBalancer: LoadBalancerStatus?

    /// Creates a status.
    public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
}

/// `status.loadBalancer` of a ``Service``.
public struct LoadBalancerStatus: Codable, Hashable, Sendable {
    /// One entry per address of the load balancer.
    public var ingress: [LoadBalancerIngress]?

    /// Creates the status.
    public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
}

/// One address of a Service's load balancer: an IP (most clouds) or a DNS name (e.g. AWS ELB).
public struct LoadBalancerIngress: Codable, Hashable, Sendable {
    /// An IP address.
    public var ip: String?
    /// A DNS name.
    public var hostname: String?

    /// Creates an address.
    public init(ip: String? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }

    /// The IP, else the hostname (nil when the entry has neither).
    public var address: String? {
        if let ip, !ip.isEmpty { return ip }
        if let hostname, !hostname.isEmpty { return hostname }
        return nil
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
