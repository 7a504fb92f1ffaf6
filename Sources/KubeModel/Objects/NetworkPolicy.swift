/// `networking.k8s.io/v1` NetworkPolicy: which traffic selected Pods may receive and send.
public struct NetworkPolicy: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// The policy.
    public var spec: NetworkPolicySpec?

    /// Creates a policy.
    public init(metadata: ObjectMeta, spec: NetworkPolicySpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The `spec` of a ``NetworkPolicy``.
public struct NetworkPolicySpec: Codable, Hashable, Sendable {
    /// The Pods (in the policy's namespace) the policy applies to; empty selects all.
    public var podSelector: LabelSelector?
    /// `Ingress`, `Egress` or both; defaulted when omitted.
    public var policyTypes: [String]?
    /// Allowed incoming traffic.
    public var ingress: [NetworkPolicyIngressRule]?
    /// Allowed outgoing traffic.
    public var egress: [NetworkPolicyEgressRule]?

    /// Creates a spec.
    public init(
        podSelector: LabelSelector? = nil,
        policyTypes: [String]? = nil,
        ingress: [NetworkPolicyIngressRule]? = nil,
        egress: [NetworkPolicyEgressRule]? = nil
    ) {
        self.podSelector = podSelector
        self.policyTypes = policyTypes
        self.ingress = ingress
        self.egress = egress
    }
}

/// An ingress rule: traffic from any of `from` to any of `ports`.
public struct NetworkPolicyIngressRule: Codable, Hashable, Sendable {
    /// Sources; nil or empty admits every source.
    public var from: [NetworkPolicyPeer]?
    /// Destination ports; nil or empty admits every port.
    public var ports: [NetworkPolicyPort]?

    /// Creates a rule.
    public init(from: [NetworkPolicyPeer]? = nil, ports: [NetworkPolicyPort]? = nil) {
        self.from = from
        self.ports = ports
    }
}

/// An egress rule: traffic to any of `to` on any of `ports`.
public struct NetworkPolicyEgressRule: Codable, Hashable, Sendable {
    /// Destinations; nil or empty admits every destination.
    public var to: [NetworkPolicyPeer]?
    /// Destination ports; nil or empty admits every port.
    public var ports: [NetworkPolicyPort]?

    /// Creates a rule.
    public init(to: [NetworkPolicyPeer]? = nil, ports: [NetworkPolicyPort]? = nil) {
        self.to = to
        self.ports = ports
    }
}

/// A peer: Pods by selector (and namespace selector), or an IP block.
public struct NetworkPolicyPeer: Codable, Hashable, Sendable {
    /// Pods, in the policy's namespace unless `namespaceSelector` is set.
    public var podSelector: LabelSelector?
    /// Namespaces whose Pods are peers.
    public var namespaceSelector: LabelSelector?
    /// A CIDR with exceptions.
    public var ipBlock: IPBlock?

    /// Creates a peer.
    public init(podSelector: LabelSelector? = nil, namespaceSelector: LabelSelector? = nil, ipBlock: IPBlock? = nil) {
        self.podSelector = podSelector
        self.namespaceSelector = namespaceSelector
        self.ipBlock = ipBlock
    }
}

/// A CIDR range minus exceptions.
public struct IPBlock: Codable, Hashable, Sendable {
    /// The range, e.g. `10.0.0.0/8`.
    public var cidr: String?
    /// Ranges inside `cidr` that are excluded.
    public var except: [String]?

    /// Creates a block.
    public init(cidr: String? = nil, except: [String]? = nil) {
        self.cidr = cidr
        self.except = except
    }
}

/// A port (number or named) or a port range, with a protocol.
public struct NetworkPolicyPort: Codable, Hashable, Sendable {
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The port number or a named container port; nil means every port.
    public var port: IntOrString?
    /// The last port of a range starting at `port`.
    public var endPort: Int?

    /// Creates a port.
    public init(protocol: String? = nil, port: IntOrString? = nil, endPort: Int? = nil) {
        self.protocol = `protocol`
        self.port = port
        self.endPort = endPort
    }
}
