import Gatehouse
import KubeModel
import Routing
import Testing

/// NetworkPolicy from the controller's Pods to endpoints: which Pod stands for the controller, how endpoints map to
/// Pods, and what happens when the manifests do not hold enough to decide.
struct ControllerPolicyAccessTests {
    static let yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api-1, namespace: shop, labels: {app: api}}
        status: {podIP: 10.2.0.1}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api-from-edge, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: api}}
          ingress:
          - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}}]
            ports: [{port: 8080}]
        """

    static let cluster = ClusterID(namespace: "shop", service: "api", port: 80)
    static let edge = ControllerIdentity(namespace: "edge", labels: ["app": "edge"], source: "test")

    static func access(_ extra: String = "", controller: ControllerIdentity? = ControllerPolicyAccessTests.edge) -> ControllerPolicyAccess {
        ControllerPolicyAccess(state: DiagnosticsSupport.state(yaml + extra), controller: controller)
    }

    @Test("an endpoint's Pod, by its EndpointSlice reference or by its address")
    func podByReferenceOrAddress() {
        let access = Self.access()
        #expect(access.controllerPod?.description == "edge/gatehouse")
        let byRef = access.access(
            to: Endpoint(host: "10.2.0.1", port: 8080, pod: ObjectRef(kind: "Pod", namespace: "shop", name: "api-1")), of: Self.cluster)
        #expect(byRef.outcome == .allowed)
        #expect(byRef.reason.hasSuffix("admitted by api-from-edge spec.ingress[0] (from[0], ports[0])"))
        let byAddress = access.access(to: Endpoint(host: "10.2.0.1", port: 9090), of: Self.cluster)
        #expect(byAddress.outcome == .blocked)
        #expect(byAddress.reason.hasSuffix("ingress of shop/api-1: isolated by api-from-edge; denied: no ingress rule admits it"))
    }

    @Test("a Pod of the manifests with the controller's labels stands for it")
    func realControllerPod() {
        let access = Self.access(
            "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: edge-7f9, namespace: edge, labels: {app: edge, pod-template-hash: 7f9}}\n")
        #expect(access.controllerPod?.description == "edge/edge-7f9")
        let other = ControllerIdentity(namespace: "shop", labels: ["app": "api"], source: "test")
        let fromApi = Self.access(controller: other)
        #expect(fromApi.controllerPod?.description == "shop/api-1")
    }

    @Test("an ipBlock rule may admit the real controller's address: a stand-in's denial is unknown, a real Pod's is not")
    func ipBlock() {
        let policy = """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-from-nodes, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16}}]}]
            """
        let endpoint = Endpoint(host: "10.2.0.1", port: 9090, pod: ObjectRef(kind: "Pod", namespace: "shop", name: "api-1"))
        let standIn = Self.access(policy).access(to: endpoint, of: Self.cluster)
        #expect(standIn.outcome == .unknown)
        #expect(standIn.reason.hasSuffix("may admit the controller's address, which the manifests do not give (no Pod carries its labels)"))
        let real = Self.access(
            policy
                + "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: edge-1, namespace: edge, labels: {app: edge}}\nstatus: {podIP: 10.9.0.1}\n"
        )
        #expect(real.access(to: endpoint, of: Self.cluster).outcome == .blocked)
        let admitted = Self.access(
            policy
                + "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: edge-1, namespace: edge, labels: {app: edge}}\nstatus: {podIP: 192.168.0.9}\n"
        )
        #expect(admitted.access(to: endpoint, of: Self.cluster).outcome == .allowed)
    }

    @Test("what cannot be decided says why")
    func undecided() {
        let access = Self.access()
        let externalName = access.access(to: Endpoint(host: "example.net", port: 443), of: Self.cluster)
        #expect(externalName.outcome == .notApplicable)
        let missingPod = access.access(
            to: Endpoint(host: "10.2.0.9", port: 8080, pod: ObjectRef(kind: "Pod", namespace: "shop", name: "api-2")), of: Self.cluster)
        #expect(
            missingPod == EndpointAccess(.unknown, "Pod shop/api-2 is not in the manifests: its labels decide which NetworkPolicies apply"))
        let unpoliced = access.access(to: Endpoint(host: "10.3.0.1", port: 80), of: ClusterID(namespace: "web", service: "web", port: 80))
        #expect(
            unpoliced
                == EndpointAccess(
                    .allowed,
                    "no Pod in the manifests has address 10.3.0.1, but no NetworkPolicy lives in namespace web and the controller's egress is not isolated"
                ))
        let anonymous = Self.access(controller: nil).access(to: Endpoint(host: "10.2.0.1", port: 8080), of: Self.cluster)
        #expect(anonymous.outcome == .unknown)
        let noPolicies = ControllerPolicyAccess(state: DiagnosticsSupport.state(""), controller: nil)
        #expect(
            noPolicies.access(to: Endpoint(host: "10.2.0.1", port: 8080), of: Self.cluster)
                == EndpointAccess(.allowed, "no NetworkPolicy in the manifests"))
    }
}
