/// `networking.k8s.io/v1` Ingress: HTTP routing rules from hosts and paths to Services.
public struct Ingress: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// The desired routing.
    public var spec: IngressSpec?
    /// What the controller reports (load balancer addresses).
    public var status: IngressStatus?

    /// Creates an Ingress.
    public init(metadata: ObjectMeta, spec: IngressSpec? = nil, status: IngressStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The `spec` of an ``Ingress``.
public struct IngressSpec: Codable, Hashable, Sendable {
    /// The IngressClass that should serve this Ingress.
    public var ingressClassName: String?
    /// Handles requests that match no rule.
    public var defaultBackend: IngressBackend?
    /// TLS hosts and the Secrets holding their certificates.
    public var tls: [IngressTLS]?
    /// Host rules, each with HTTP paths.
    public var rules: [IngressRule]?

    /// Creates a spec.
    public init(
        ingressClassName: String? = nil,
        defaultBackend: IngressBackend? = nil,
        tls: [IngressTLS]? = nil,
        rules: [IngressRule]? = nil
    ) {
        self.ingressClassName = ingressClassName
        self.defaultBackend = defaultBackend
        self.tls = tls
        self.rules = rules
    }
}

/// One TLS entry: the hosts a certificate Secret covers.
public struct IngressTLS: Codable, Hashable, Sendable {
    /// Hosts (exact or `*.` wildcard) served with this Secret's certificate.
    public var hosts: [String]?
    /// The `kubernetes.io/tls` Secret in the Ingress's namespace.
    public var secretName: String?

    /// Creates a TLS entry.
    public init(hosts: [String]? = nil, secretName: String? = nil) {
        self.hosts = hosts
        self.secretName = secretName
    }
}

/// One host rule: an optional host and its HTTP paths.
public struct IngressRule: Codable, Hashable, Sendable {
    /// The host (exact, or `*.` plus a DNS name); empty or nil matches every host.
    public var host: String?
    /// The HTTP paths of this host.
    public var http: HTTPIngressRuleValue?

    /// Creates a rule.
    public init(host: String? = nil, http: HTTPIngressRuleValue? = nil) {
        self.host = host
        self.http = http
    }
}

/// The `http` block of an ``IngressRule``.
public struct HTTPIngressRuleValue: Codable, Hashable, Sendable {
    /// The paths, each with its backend.
    public var paths: [HTTPIngressPath]?

    /// Creates an HTTP rule value.
    public init(paths: [HTTPIngressPath]? = nil) { self.paths = paths }
}

/// One path of an HTTP rule.
public struct HTTPIngressPath: Codable, Hashable, Sendable {
    /// The path to match (absolute for Exact and Prefix).
    public var path: String?
    /// `Exact`, `Prefix` or `ImplementationSpecific` (required).
    public var pathType: String?
    /// Where matching requests go.
    public var backend: IngressBackend?

    /// Creates a path.
    public init(path: String? = nil, pathType: String? = nil, backend: IngressBackend? = nil) {
        self.path = path
        self.pathType = pathType
        self.backend = backend
    }
}

/// Where requests go: a Service port, or a typed resource (not proxied by Gatehouse).
public struct IngressBackend: Codable, Hashable, Sendable {
    /// A Service and one of its ports.
    public var service: IngressServiceBackend?
    /// A reference to another object in the namespace (exclusive with `service`).
    public var resource: TypedLocalObjectReference? {
        get { resourceBox?.value }
        set { resourceBox = newValue.map(Boxed.init) }
    }
    /// `resource`, boxed: almost no backend has one, and every path of every Ingress has a backend (a nil
    /// reference is 8 bytes; the optional reference itself, 48).
    private var resourceBox: Boxed<TypedLocalObjectReference>?

    private enum CodingKeys: String, CodingKey {
        case service
        case resource
    }

    /// Creates a backend.
    public init(service: IngressServiceBackend? = nil, resource: TypedLocalObjectReference? = nil) {
        self.service = service
        self.resource = resource
    }

    /// Decodes `service` and `resource`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decodeIfPresent(IngressServiceBackend.self, forKey: .service)
        resource = try container.decodeIfPresent(TypedLocalObjectReference.self, forKey: .resource)
    }

    /// Encodes the fields that are set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(service, forKey: .service)
        try container.encodeIfPresent(resource, forKey: .resource)
    }
}

/// A Service backend: the Service's name and port.
public struct IngressServiceBackend: Codable, Hashable, Sendable {
    /// The Service name in the Ingress's namespace.
    public var name: String?
    /// The Service port, by name or number.
    public var port: ServiceBackendPort?

    /// Creates a Service backend.
    public init(name: String? = nil, port: ServiceBackendPort? = nil) {
        self.name = name
        self.port = port
    }
}

/// A Service port reference: `name` XOR `number`.
public struct ServiceBackendPort: Codable, Hashable, Sendable {
    /// The port's name in the Service.
    public var name: String?
    /// The port number of the Service (not the container's).
    public var number: Int?

    /// Creates a port reference.
    public init(name: String? = nil, number: Int? = nil) {
        self.name = name
        self.number = number
    }
}

/// A typed reference to an object in the same namespace.
public struct TypedLocalObjectReference: Codable, Hashable, Sendable {
    /// The API group (empty for the core group).
    public var apiGroup: String?
    /// The kind referenced.
    public var kind: String?
    /// The name referenced.
    public var name: String?

    /// Creates a reference.
    public init(apiGroup: String? = nil, kind: String? = nil, name: String? = nil) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}

/// The `status` of an ``Ingress``.
public struct IngressStatus: Codable, Hashable, Sendable {
    /// The addresses the Ingress is reachable at.
    public var loadBalancer: IngressLoadBalancerStatus?

    /// Creates a status.
    public init(loadBalancer: IngressLoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
}

/// Load balancer addresses of an Ingress.
public struct IngressLoadBalancerStatus: Codable, Hashable, Sendable {
    /// One entry per address.
    public var ingress: [IngressLoadBalancerIngress]?

    /// Creates the status.
    public init(ingress: [IngressLoadBalancerIngress]? = nil) { self.ingress = ingress }
}

/// One load balancer address (IP or hostname).
public struct IngressLoadBalancerIngress: Codable, Hashable, Sendable {
    /// An IP address.
    public var ip: String?
    /// A DNS name.
    public var hostname: String?

    /// Creates an address.
    public init(ip: String? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }
}

/// `networking.k8s.io/v1` IngressClass: names the controller that serves Ingresses of this class.
public struct IngressClass: Codable, Hashable, Sendable {
    /// Object metadata (cluster-scoped; `ingressclass.kubernetes.io/is-default-class` lives here).
    public var metadata: ObjectMeta
    /// The controller and its parameters.
    public var spec: IngressClassSpec?

    /// Creates an IngressClass.
    public init(metadata: ObjectMeta, spec: IngressClassSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    /// The annotation that marks the cluster's default class.
    public static let defaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class"

    /// Whether the class is marked as the default for Ingresses without a class.
    public var isDefaultClass: Bool { metadata.annotation(Self.defaultClassAnnotation) == "true" }
}

/// The `spec` of an ``IngressClass``.
public struct IngressClassSpec: Codable, Hashable, Sendable {
    /// The controller name, e.g. `gatehouse.dev/ingress-controller`.
    public var controller: String?

    /// Creates a spec.
    public init(controller: String? = nil) { self.controller = controller }
}
