import KubeModel
import Policy
import Routing

/// NetworkPolicy seen from the controller's Pods: may they open a TCP connection to an endpoint? Implements
/// ``EndpointAccessCheck`` for `explain` and `lint` with the ``PolicyEngine``.
///
/// The controller is a Pod of the manifests carrying its namespace and labels when there is one; otherwise a Pod
/// without an address stands in for it (selectors see its labels; `ipBlock` rules cannot match it, so a denial where
/// an `ipBlock` rule might admit the real address is answered "unknown", never "blocked"). An endpoint is
/// checked as the Pod its EndpointSlice names, else as the Pod with its address; when the manifests do not hold that
/// Pod, its labels (and so the policies that select it) are unknown, and the answer says so unless no policy could
/// apply.
public struct ControllerPolicyAccess: EndpointAccessCheck {
    /// The engine over the manifests' Pods (plus the stand-in controller Pod), Namespaces and NetworkPolicies.
    public let engine: PolicyEngine
    /// The controller's identity, when known.
    public let controller: ControllerIdentity?
    /// The Pod used as the controller, when the identity is known.
    public let controllerPod: PolicyEndpoint?
    /// Whether any NetworkPolicy exists.
    public let hasPolicies: Bool
    /// Namespaces holding at least one NetworkPolicy.
    let policyNamespaces: Set<String>
    /// `namespace/name` of every Pod the engine knows.
    let knownPods: Set<String>
    /// Whether the controller is a stand-in Pod without an address (no Pod of the manifests carries its labels).
    let isStandIn: Bool
    /// Namespaces with a NetworkPolicy whose ingress rules have an `ipBlock` peer (it may admit the controller's
    /// address, which a stand-in does not have).
    let ipBlockNamespaces: Set<String>

    /// Builds the engine from `state`, adding a stand-in Pod for the controller when none of the manifests' Pods is one.
    public init(state: ClusterState, controller: ControllerIdentity?) {
        var pods = state.pods.sorted { $0.key < $1.key }.map(\.value)
        var controllerPod: PolicyEndpoint?
        var isStandIn = false
        if let controller {
            let named = pods.first { $0.metadata.namespaceOrDefault == controller.namespace && $0.metadata.name == controller.podName }
            let labelled = controller.labels.isEmpty ? nil : pods.first(where: controller.selects)
            if let pod = labelled ?? named {
                controllerPod = .pod(namespace: pod.metadata.namespaceOrDefault, name: pod.metadata.nameOrEmpty)
            } else {
                let standIn = Pod(
                    metadata: ObjectMeta(name: controller.podName, namespace: controller.namespace, labels: controller.labels))
                pods.insert(standIn, at: 0)
                isStandIn = true
                controllerPod = .pod(namespace: controller.namespace, name: controller.podName)
            }
        }
        let policies = state.networkPolicies.sorted { $0.key < $1.key }.map(\.value)
        engine = PolicyEngine(pods: pods, namespaces: state.namespaces.sorted { $0.key < $1.key }.map(\.value), policies: policies)
        self.controller = controller
        self.controllerPod = controllerPod
        hasPolicies = !policies.isEmpty
        policyNamespaces = Set(policies.map(\.metadata.namespaceOrDefault))
        knownPods = Set(engine.podNames)
        self.isStandIn = isStandIn
        ipBlockNamespaces = Set(
            policies.filter { policy in
                (policy.spec?.ingress ?? []).contains { rule in (rule.from ?? []).contains { $0.ipBlock != nil } }
            }
            .map(\.metadata.namespaceOrDefault))
    }

    /// Whether the controller may connect to `endpoint` (TCP, the endpoint's port).
    public func access(to endpoint: Endpoint, of cluster: ClusterID) -> EndpointAccess {
        guard hasPolicies else { return EndpointAccess(.allowed, "no NetworkPolicy in the manifests") }
        guard let controllerPod else {
            return EndpointAccess(
                .unknown,
                "the controller's namespace and labels are unknown: pass --controller-namespace and --controller-labels, or include its Deployment"
            )
        }
        guard let address = IPAddress(endpoint.host) else {
            return EndpointAccess(.notApplicable, "\(endpoint.host) is a DNS name: NetworkPolicy applies to the addresses it resolves to")
        }
        if let pod = endpoint.pod, let namespace = pod.namespace, knownPods.contains("\(namespace)/\(pod.name)") {
            return decide(from: controllerPod, to: .pod(namespace: namespace, name: pod.name), port: endpoint.port)
        }
        if let verdict = try? engine.verdict(from: controllerPod, to: .ip(address), port: endpoint.port), verdict.toPod != nil {
            return answer(verdict)
        }
        let missing = endpoint.pod.map { "Pod \($0) is not in the manifests" } ?? "no Pod in the manifests has address \(endpoint.host)"
        let namespace = endpoint.pod?.namespace ?? cluster.namespace
        let egress = (try? engine.isolatingPolicies(of: controllerPod, .egress)) ?? []
        if !policyNamespaces.contains(namespace) && egress.isEmpty {
            return EndpointAccess(
                .allowed, "\(missing), but no NetworkPolicy lives in namespace \(namespace) and the controller's egress is not isolated")
        }
        return EndpointAccess(.unknown, "\(missing): its labels decide which NetworkPolicies apply")
    }

    /// The engine's verdict as an access answer. A stand-in controller has no address, so when the destination's
    /// ingress denies it and an `ipBlock` rule of its namespace might admit the real address, the answer is unknown.
    private func decide(from source: PolicyEndpoint, to destination: PolicyEndpoint, port: Int) -> EndpointAccess {
        do {
            let verdict = try engine.verdict(from: source, to: destination, port: port)
            return answer(verdict)
        } catch {
            return EndpointAccess(.unknown, "\(error)")
        }
    }

    /// A verdict as an access answer (see ``decide(from:to:port:)``).
    private func answer(_ verdict: PolicyVerdict) -> EndpointAccess {
        if verdict.allowed { return EndpointAccess(.allowed, verdict.reason) }
        if isStandIn, verdict.egress?.allowed != false, verdict.ingress?.outcome == .denied,
            let pod = verdict.toPod, let namespace = pod.split(separator: "/").first, ipBlockNamespaces.contains(String(namespace))
        {
            return EndpointAccess(
                .unknown,
                "\(verdict.reason); but an ipBlock rule in namespace \(namespace) may admit the controller's address, which the manifests do not give (no Pod carries its labels)"
            )
        }
        return EndpointAccess(.blocked, verdict.reason)
    }
}
