import KubeModel

/// A validated NetworkPolicy resolved against the catalog: the Pods it selects, and per direction the rules whose
/// pod peers are precomputed Pod sets, so a query only tests bits, address blocks and ports.
struct CompiledPolicy: Sendable {
    /// One party of a connection as the rules see it.
    enum Party: Hashable, Sendable {
        /// A Pod, by catalog index.
        case pod(Int)
        /// An address that is no known Pod's.
        case external(IPAddress)
    }

    /// A rule: peers (nil = every peer) and ports (nil = every port and protocol).
    struct Rule: Sendable {
        /// The rule's `from`/`to`, nil when missing or empty.
        var peers: [Peer]?
        /// The rule's `ports`, nil when missing or empty.
        var ports: [Port]?
    }

    /// A compiled peer.
    enum Peer: Sendable {
        /// `podSelector` and/or `namespaceSelector`: the Pods they select.
        case pods(PodSet)
        /// `ipBlock`: a CIDR minus exceptions.
        case block(CIDR, except: [CIDR])

        /// Whether the party is this peer. An ipBlock matches a Pod through any of the Pod's addresses.
        func matches(_ party: Party, in catalog: PodCatalog) -> Bool {
            switch (self, party) {
            case (.pods(let set), .pod(let index)):
                return set.contains(index)
            case (.pods, .external):
                return false
            case (.block(let cidr, let except), .pod(let index)):
                return catalog.pods[index].addresses.contains { Self.block(cidr, except, contains: $0) }
            case (.block(let cidr, let except), .external(let address)):
                return Self.block(cidr, except, contains: address)
            }
        }

        /// Whether the address is in `cidr` and in none of `except`.
        static func block(_ cidr: CIDR, _ except: [CIDR], contains address: IPAddress) -> Bool {
            cidr.contains(address) && !except.contains { $0.contains(address) }
        }
    }

    /// A compiled port entry.
    enum Port: Sendable {
        /// No `port`: every port of the protocol.
        case any(PolicyProtocol)
        /// A number, or a range `port...endPort`.
        case range(PolicyProtocol, ClosedRange<Int>)
        /// A named port, resolved on the destination Pod's container ports of the same protocol.
        case named(PolicyProtocol, String)

        /// Whether a connection to `port`/`proto` at `destination` matches.
        func matches(port: Int, protocol proto: PolicyProtocol, destination: Party, in catalog: PodCatalog) -> Bool {
            switch self {
            case .any(let expected):
                return expected == proto
            case .range(let expected, let range):
                return expected == proto && range.contains(port)
            case .named(let expected, let name):
                guard expected == proto, case .pod(let index) = destination else { return false }
                return catalog.pods[index].hasNamedPort(name, number: port, protocol: proto)
            }
        }
    }

    /// The policy's namespace.
    let namespace: String
    /// The policy's name.
    let name: String
    /// The Pods of its namespace that `spec.podSelector` selects.
    let selected: PodSet
    /// Ingress rules when the policy governs ingress, else nil.
    let ingress: [Rule]?
    /// Egress rules when the policy governs egress, else nil.
    let egress: [Rule]?

    /// Compiles a policy that passed validation.
    init(_ policy: NetworkPolicy, catalog: PodCatalog) {
        let namespace = policy.metadata.namespaceOrDefault
        let spec = policy.spec ?? NetworkPolicySpec()
        self.namespace = namespace
        name = policy.metadata.nameOrEmpty
        selected = catalog.select(podSelector: spec.podSelector, namespaceSelector: nil, in: namespace)
        let types = Self.effectivePolicyTypes(spec)
        func compile(_ peers: [NetworkPolicyPeer]?, _ ports: [NetworkPolicyPort]?) -> Rule {
            Rule(
                peers: (peers ?? []).isEmpty ? nil : peers?.map { Self.peer($0, namespace: namespace, catalog: catalog) },
                ports: (ports ?? []).isEmpty ? nil : ports?.map(Self.port)
            )
        }
        ingress = types.contains("Ingress") ? (spec.ingress ?? []).map { compile($0.from, $0.ports) } : nil
        egress = types.contains("Egress") ? (spec.egress ?? []).map { compile($0.to, $0.ports) } : nil
    }

    /// The rules of one direction; nil when the policy does not govern it.
    func rules(_ direction: PolicyDirection) -> [Rule]? {
        direction == .ingress ? ingress : egress
    }

    /// `spec.policyTypes`, or its default when omitted or empty: `Ingress`, plus `Egress` when `spec.egress` has a rule.
    static func effectivePolicyTypes(_ spec: NetworkPolicySpec) -> Set<String> {
        if let types = spec.policyTypes, !types.isEmpty { return Set(types) }
        return (spec.egress ?? []).isEmpty ? ["Ingress"] : ["Ingress", "Egress"]
    }

    /// Compiles a peer: an IP block, or the Pods its selectors pick (pod selector alone: the policy's namespace).
    static func peer(_ peer: NetworkPolicyPeer, namespace: String, catalog: PodCatalog) -> Peer {
        if let block = peer.ipBlock {
            guard let cidr = block.cidr.flatMap(CIDR.init) else { return .pods(PodSet(capacity: 0)) }
            return .block(cidr, except: (block.except ?? []).compactMap(CIDR.init))
        }
        return .pods(catalog.select(podSelector: peer.podSelector, namespaceSelector: peer.namespaceSelector, in: namespace))
    }

    /// Compiles a port entry (protocol TCP when omitted).
    static func port(_ port: NetworkPolicyPort) -> Port {
        let proto = PolicyProtocol(rawValue: port.protocol ?? "TCP") ?? .tcp
        switch port.port {
        case nil: return .any(proto)
        case .int(let number): return .range(proto, number...max(number, port.endPort ?? number))
        case .string(let name): return .named(proto, name)
        }
    }
}
