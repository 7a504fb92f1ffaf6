import KubeModel

/// Decides, as a conforming CNI does, whether a connection between Pods (or between a Pod and an outside address)
/// is allowed by NetworkPolicies, and says why.
///
/// Built once from Pods, Namespaces and NetworkPolicies; every selector is evaluated at construction, so a query
/// only tests precomputed Pod sets, address blocks and ports of the policies that select the two Pods.
///
/// Semantics (Kubernetes `networking.k8s.io/v1`):
/// - Isolation is per Pod and per direction: a Pod is isolated for ingress (egress) when a policy of its namespace
///   selects it and has `Ingress` (`Egress`) in its effective `policyTypes` (omitted: `Ingress`, plus `Egress` when
///   the policy has egress rules). A connection is allowed when the source's egress AND the destination's ingress
///   allow it; each direction allows it when not isolated or when any rule of any isolating policy admits it.
/// - Replies on an allowed connection are allowed: verdicts are about who may initiate. A Pod may always reach itself.
/// - An outside address as source: only the destination's ingress applies; as destination: only the source's egress.
///   An address that is a known Pod's IP is treated as that Pod.
/// - `ipBlock` peers also match Pods, through their IPs (the behaviour of most CNIs, e.g. Calico and Cilium in their
///   default modes; the spec intends ipBlock for cluster-external addresses and leaves this open). A Pod without an IP
///   never matches an ipBlock, but selectors work on its labels.
/// - Named ports are resolved on the destination Pod's container ports with the rule's protocol, for ingress and
///   egress alike; they never match an outside destination.
/// - Invalid policies (``NetworkPolicyValidation``) are refused, as the API server would, and reported in ``issues``.
public struct PolicyEngine: Sendable {
    /// Pods and Namespaces, indexed.
    let catalog: PodCatalog
    /// Valid policies, sorted by namespace then name.
    let policies: [CompiledPolicy]
    /// Per Pod index, the policies (indices into ``policies``) that isolate it for ingress.
    let ingressPolicies: [[Int]]
    /// Per Pod index, the policies (indices into ``policies``) that isolate it for egress.
    let egressPolicies: [[Int]]
    /// Refused policies (validation errors) and dropped duplicates.
    public let issues: [ConfigIssue]

    /// Builds the engine. Objects without a namespace live in `default`; a namespace that only Pods mention exists with
    /// just its automatic `kubernetes.io/metadata.name` label.
    public init(pods: [Pod], namespaces: [Namespace] = [], policies: [NetworkPolicy]) {
        let catalog = PodCatalog(pods: pods, namespaces: namespaces)
        var issues = catalog.issues
        var valid: [NetworkPolicy] = []
        var seen: Set<String> = []
        for policy in policies {
            let ref = ObjectRef(kind: "NetworkPolicy", namespace: policy.metadata.namespaceOrDefault, name: policy.metadata.nameOrEmpty)
            let errors = NetworkPolicyValidation.validate(policy)
            if !errors.isEmpty {
                issues += errors.map { ConfigIssue(object: ref, $0) }
                continue
            }
            guard seen.insert(ref.description).inserted else {
                issues.append(
                    ConfigIssue(
                        object: ref, field: "metadata.name", message: "duplicate NetworkPolicy: the first one is used", severity: .warning))
                continue
            }
            valid.append(policy)
        }
        valid.sort { ($0.metadata.namespaceOrDefault, $0.metadata.nameOrEmpty) < ($1.metadata.namespaceOrDefault, $1.metadata.nameOrEmpty) }
        let compiled = valid.map { CompiledPolicy($0, catalog: catalog) }
        var ingress = Array(repeating: [Int](), count: catalog.pods.count)
        var egress = Array(repeating: [Int](), count: catalog.pods.count)
        for (policyIndex, policy) in compiled.enumerated() {
            for podIndex in policy.selected.indices {
                if policy.ingress != nil { ingress[podIndex].append(policyIndex) }
                if policy.egress != nil { egress[podIndex].append(policyIndex) }
            }
        }
        self.catalog = catalog
        self.policies = compiled
        self.ingressPolicies = ingress
        self.egressPolicies = egress
        self.issues = issues.sorted()
    }

    /// Builds the engine from decoded manifests, using their Pods, Namespaces and NetworkPolicies.
    public init(objects: [KubeObject]) {
        var pods: [Pod] = []
        var namespaces: [Namespace] = []
        var policies: [NetworkPolicy] = []
        for object in objects {
            switch object {
            case .pod(let pod): pods.append(pod)
            case .namespace(let namespace): namespaces.append(namespace)
            case .networkPolicy(let policy): policies.append(policy)
            default: break
            }
        }
        self.init(pods: pods, namespaces: namespaces, policies: policies)
    }

    /// Every Pod as `namespace/name`, sorted by namespace then name (the matrix's order).
    public var podNames: [String] { catalog.pods.map(\.key) }

    /// The names of the policies that isolate a Pod for a direction (empty when it is not isolated).
    public func isolatingPolicies(of pod: PolicyEndpoint, _ direction: PolicyDirection) throws(PolicyQueryError) -> [String] {
        guard case .pod(let index) = try resolve(pod) else { return [] }
        return (direction == .ingress ? ingressPolicies : egressPolicies)[index].map { policies[$0].name }
    }

    /// Decides whether `from` may open a connection to `to` on `port`/`protocol`, with the reason.
    /// Throws for a Pod not in the engine or a port outside 1...65535.
    public func verdict(
        from: PolicyEndpoint, to: PolicyEndpoint, port: Int, protocol proto: PolicyProtocol = .tcp
    ) throws(PolicyQueryError) -> PolicyVerdict {
        guard (1...65535).contains(port) else { throw .invalidPort(port) }
        let source = try resolve(from)
        let destination = try resolve(to)
        let fromPod = podKey(source)
        let toPod = podKey(destination)
        func make(_ allowed: Bool, _ note: PolicyVerdict.Note?, _ egress: DirectionVerdict?, _ ingress: DirectionVerdict?) -> PolicyVerdict
        {
            PolicyVerdict(
                from: from, to: to, fromPod: fromPod, toPod: toPod, port: port, protocol: proto,
                allowed: allowed, note: note, egress: egress, ingress: ingress)
        }
        switch (source, destination) {
        case (.pod(let s), .pod(let d)) where s == d:
            return make(true, .samePod, nil, nil)
        case (.external, .external):
            return make(true, .noPod, nil, nil)
        case (.external, .pod(let d)):
            let ingress = explain(.ingress, pod: d, peer: source, destination: destination, port: port, protocol: proto)
            return make(ingress.allowed, .externalSource, nil, ingress)
        case (.pod(let s), .external):
            let egress = explain(.egress, pod: s, peer: destination, destination: destination, port: port, protocol: proto)
            return make(egress.allowed, .externalDestination, egress, nil)
        case (.pod(let s), .pod(let d)):
            let egress = explain(.egress, pod: s, peer: destination, destination: destination, port: port, protocol: proto)
            let ingress = explain(.ingress, pod: d, peer: source, destination: destination, port: port, protocol: proto)
            return make(egress.allowed && ingress.allowed, nil, egress, ingress)
        }
    }

    /// Only the decision of ``verdict(from:to:port:protocol:)``, without building the reason.
    public func isAllowed(
        from: PolicyEndpoint, to: PolicyEndpoint, port: Int, protocol proto: PolicyProtocol = .tcp
    ) throws(PolicyQueryError) -> Bool {
        guard (1...65535).contains(port) else { throw .invalidPort(port) }
        return allows(from: try resolve(from), to: try resolve(to), port: port, protocol: proto)
    }

    /// Answers one query; an unknown Pod or a bad port becomes a ``PolicyAnswer/failure(_:_:)``.
    public func answer(_ query: PolicyQuery) -> PolicyAnswer {
        do {
            return .verdict(try verdict(from: query.from, to: query.to, port: query.port, protocol: query.protocol))
        } catch {
            return .failure(query, error)
        }
    }

    /// Answers a batch of queries in order (`gatehouse policy check`).
    public func check(_ queries: [PolicyQuery]) -> [PolicyAnswer] {
        queries.map(answer)
    }

    /// Who may reach whom among all Pods on one port and protocol; rows are sources, columns destinations.
    public func matrix(port: Int, protocol proto: PolicyProtocol = .tcp) -> ReachabilityMatrix {
        let count = catalog.pods.count
        var rows: [[Bool]] = []
        rows.reserveCapacity(count)
        for source in 0..<count {
            rows.append((0..<count).map { allows(from: .pod(source), to: .pod($0), port: port, protocol: proto) })
        }
        return ReachabilityMatrix(pods: podNames, port: port, protocol: proto, allowed: rows)
    }

    // MARK: - Evaluation

    /// The first admitting place, by indices.
    struct Admission {
        /// Index into ``PolicyEngine/policies``.
        var policy: Int
        /// Rule index.
        var rule: Int
        /// Peer index, nil when the rule has no peers.
        var peer: Int?
        /// Port index, nil when the rule has no ports.
        var port: Int?
    }

    /// Resolves an endpoint to a Pod index, or an outside address (an address that is a Pod's IP becomes the Pod).
    func resolve(_ endpoint: PolicyEndpoint) throws(PolicyQueryError) -> CompiledPolicy.Party {
        switch endpoint {
        case .pod(let namespace, let name):
            guard let index = catalog.indexByKey["\(namespace)/\(name)"] else { throw .unknownPod("\(namespace)/\(name)") }
            return .pod(index)
        case .ip(let address):
            if let index = catalog.indexByAddress[address] { return .pod(index) }
            return .external(address)
        }
    }

    /// The Pod's `namespace/name`, nil for an outside address.
    func podKey(_ party: CompiledPolicy.Party) -> String? {
        if case .pod(let index) = party { return catalog.pods[index].key }
        return nil
    }

    /// The decision for resolved parties.
    func allows(from source: CompiledPolicy.Party, to destination: CompiledPolicy.Party, port: Int, protocol proto: PolicyProtocol) -> Bool
    {
        if case .pod(let s) = source {
            if case .pod(let d) = destination, s == d { return true }
            if !egressPolicies[s].isEmpty
                && admission(
                    .egress, isolating: egressPolicies[s], peer: destination, destination: destination, port: port, protocol: proto) == nil
            {
                return false
            }
        }
        if case .pod(let d) = destination, !ingressPolicies[d].isEmpty {
            return admission(.ingress, isolating: ingressPolicies[d], peer: source, destination: destination, port: port, protocol: proto)
                != nil
        }
        return true
    }

    /// One direction's verdict for the Pod at `index`, whose counterpart is `peer`.
    func explain(
        _ direction: PolicyDirection, pod index: Int, peer: CompiledPolicy.Party, destination: CompiledPolicy.Party,
        port: Int, protocol proto: PolicyProtocol
    ) -> DirectionVerdict {
        let isolating = direction == .ingress ? ingressPolicies[index] : egressPolicies[index]
        let key = catalog.pods[index].key
        if isolating.isEmpty {
            return DirectionVerdict(direction: direction, pod: key, outcome: .notIsolated, policies: [], admittedBy: nil)
        }
        let names = isolating.map { policies[$0].name }
        guard let found = admission(direction, isolating: isolating, peer: peer, destination: destination, port: port, protocol: proto)
        else {
            return DirectionVerdict(direction: direction, pod: key, outcome: .denied, policies: names, admittedBy: nil)
        }
        let match = RuleMatch(
            policy: policies[found.policy].name, direction: direction, rule: found.rule, peer: found.peer, port: found.port)
        return DirectionVerdict(direction: direction, pod: key, outcome: .admitted, policies: names, admittedBy: match)
    }

    /// The first rule of the isolating policies that admits `peer` on `port`/`proto` (ports resolved on `destination`).
    func admission(
        _ direction: PolicyDirection, isolating: [Int], peer: CompiledPolicy.Party, destination: CompiledPolicy.Party,
        port: Int, protocol proto: PolicyProtocol
    ) -> Admission? {
        for policyIndex in isolating {
            guard let rules = policies[policyIndex].rules(direction) else { continue }
            for (ruleIndex, rule) in rules.enumerated() {
                var peerIndex: Int? = nil
                if let peers = rule.peers {
                    guard let found = peers.firstIndex(where: { $0.matches(peer, in: catalog) }) else { continue }
                    peerIndex = found
                }
                var portIndex: Int? = nil
                if let ports = rule.ports {
                    guard
                        let found = ports.firstIndex(where: {
                            $0.matches(port: port, protocol: proto, destination: destination, in: catalog)
                        })
                    else { continue }
                    portIndex = found
                }
                return Admission(policy: policyIndex, rule: ruleIndex, peer: peerIndex, port: portIndex)
            }
        }
        return nil
    }
}
