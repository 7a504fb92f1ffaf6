import KubeModel
import Routing
import Testing

/// Where the controller's namespace and labels come from: flags, else its Deployment.
struct ControllerIdentityTests {
    static func state(_ yaml: String) -> ClusterState {
        var store = ManifestStore()
        store.update(path: "test.yaml", text: yaml)
        return store.admit(now: "2026-01-01T00:00:00Z")
    }

    static let deployments = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: apps}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: nginx}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: edge, namespace: ingress}
        spec:
          template:
            metadata: {labels: {app.kubernetes.io/name: edge, tier: ingress}}
            spec: {containers: [{name: proxy, image: "ghcr.io/gatehouse/gatehouse:1.0"}]}
        """

    @Test("the Deployment whose image is Gatehouse's")
    func fromDeployment() throws {
        let identity = try #require(ControllerIdentity.resolve(in: Self.state(Self.deployments), namespace: nil, labels: nil))
        #expect(identity.namespace == "ingress")
        #expect(identity.labels == ["app.kubernetes.io/name": "edge", "tier": "ingress"])
        #expect(identity.deployment == ObjectRef(kind: "Deployment", namespace: "ingress", name: "edge"))
        #expect(identity.podName == "edge")
        #expect(identity.description == "namespace ingress, labels app.kubernetes.io/name=edge,tier=ingress (from Deployment ingress/edge)")
    }

    @Test("flags win, each one separately")
    func flags() throws {
        let state = Self.state(Self.deployments)
        let both = try #require(ControllerIdentity.resolve(in: state, namespace: "gh", labels: ["app": "gh"]))
        #expect(both.namespace == "gh")
        #expect(both.labels == ["app": "gh"])
        #expect(both.deployment == nil)
        #expect(both.source == "--controller-namespace and --controller-labels")
        let namespaceOnly = try #require(ControllerIdentity.resolve(in: state, namespace: "gh", labels: nil))
        #expect(namespaceOnly.labels == ["app.kubernetes.io/name": "edge", "tier": "ingress"])
        #expect(namespaceOnly.source == "--controller-namespace with Deployment ingress/edge")
    }

    @Test("nothing known: nil; a Deployment named gatehouse counts")
    func byName() throws {
        #expect(ControllerIdentity.resolve(in: Self.state(""), namespace: nil, labels: nil) == nil)
        let state = Self.state(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gatehouse-controller}\nspec: {template: {metadata: {labels: {a: b}}}}\n"
        )
        #expect(ControllerIdentity.resolve(in: state, namespace: nil, labels: nil)?.namespace == "default")
        #expect(ControllerIdentity.resolve(in: state, namespace: nil, labels: nil)?.labels == ["a": "b"])
    }

    @Test("label flag parsing")
    func labels() {
        #expect(ControllerIdentity.parseLabels("a=1, b = 2,c=") == ["a": "1", "b": "2", "c": ""])
        #expect(ControllerIdentity.parseLabels("a") == nil)
        #expect(ControllerIdentity.parseLabels("=1") == nil)
        #expect(ControllerIdentity.parseLabels("") == [:])
    }
}
