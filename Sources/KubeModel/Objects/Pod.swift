/// Core v1 Pod: labels, container ports and addresses (what routing and NetworkPolicy need).
public struct Pod: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// Containers and their ports.
    public var spec: PodSpec?
    /// Addresses and conditions.
    public var status: PodStatus?

    /// Creates a Pod.
    public init(metadata: ObjectMeta, spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The Pod's IP addresses (`status.podIPs`, else `status.podIP`).
    public var addresses: [String] {
        if let ips = status?.podIPs?.compactMap(\.ip), !ips.isEmpty { return ips }
        return status?.podIP.map { [$0] } ?? []
    }

    /// Whether the Pod reports the `Ready` condition as true (no conditions at all counts as ready).
    public var isReady: Bool {
        guard let conditions = status?.conditions, !conditions.isEmpty else { return true }
        return conditions.first { $0.type == "Ready" }?.status == "True"
    }
}

/// The `spec` of a ``Pod``.
public struct PodSpec: Codable, Hashable, Sendable {
    /// The Pod's containers.
    public var containers: [Container]?

    /// Creates a spec.
    public init(containers: [Container]? = nil) { self.containers = containers }
}

/// A container of a Pod (only what Gatehouse needs: its name and ports).
public struct Container: Codable, Hashable, Sendable {
    /// The container name.
    public var name: String?
    /// The image (informational).
    public var image: String?
    /// Declared ports; named ports are resolved through these.
    public var ports: [ContainerPort]?

    /// Creates a container.
    public init(name: String? = nil, image: String? = nil, ports: [ContainerPort]? = nil) {
        self.name = name
        self.image = image
        self.ports = ports
    }
}

/// A declared container port.
public struct ContainerPort: Codable, Hashable, Sendable {
    /// The port's name (an IANA_SVC_NAME).
    public var name: String?
    /// The port number in the container.
    public var containerPort: Int?
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?

    /// Creates a container port.
    public init(name: String? = nil, containerPort: Int? = nil, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// The `status` of a ``Pod``.
public struct PodStatus: Codable, Hashable, Sendable {
    /// The primary IP.
    public var podIP: String?
    /// All IPs (dual stack).
    public var podIPs: [PodIP]?
    /// Conditions such as `Ready`.
    public var conditions: [PodCondition]?
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?

    /// Creates a status.
    public init(podIP: String? = nil, podIPs: [PodIP]? = nil, conditions: [PodCondition]? = nil, phase: String? = nil) {
        self.podIP = podIP
        self.podIPs = podIPs
        self.conditions = conditions
        self.phase = phase
    }

    /// One Pod IP.
    public struct PodIP: Codable, Hashable, Sendable {
        /// The address.
        public var ip: String?

        /// Creates an entry.
        public init(ip: String? = nil) { self.ip = ip }
    }
}

/// A Pod condition (`type`, `status` as "True"/"False"/"Unknown").
public struct PodCondition: Codable, Hashable, Sendable {
    /// The condition type, e.g. `Ready`.
    public var type: String?
    /// "True", "False" or "Unknown".
    public var status: String?

    /// Creates a condition.
    public init(type: String? = nil, status: String? = nil) {
        self.type = type
        self.status = status
    }
}

/// `apps/v1` Deployment (read for the controller's own labels and namespace).
public struct Deployment: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// Selector and Pod template.
    public var spec: DeploymentSpec?

    /// Creates a Deployment.
    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The `spec` of a ``Deployment``.
public struct DeploymentSpec: Codable, Hashable, Sendable {
    /// Number of Pods.
    public var replicas: Int?
    /// Which Pods belong to the Deployment.
    public var selector: LabelSelector?
    /// The Pod template.
    public var template: PodTemplateSpec?

    /// Creates a spec.
    public init(replicas: Int? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

/// A Pod template: metadata (labels) and spec.
public struct PodTemplateSpec: Codable, Hashable, Sendable {
    /// Template metadata (labels of the Pods).
    public var metadata: ObjectMeta?
    /// The Pods' spec.
    public var spec: PodSpec?

    /// Creates a template.
    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
