import KubeModel
import Policy
import Testing

/// Builders for the objects the policy tests use: Pods, Namespaces, decoded manifests and engines.
enum Fixtures {
    /// Decodes manifests and records any decoding issue as a test failure.
    static func decode(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [KubeObject] {
        let result = ManifestDecoder.decode(yaml, source: "test.yaml")
        #expect(result.issues.isEmpty, "decoding issues: \(result.issues)", sourceLocation: sourceLocation)
        return result.objects
    }

    /// An engine over `objects` plus the policies in `yaml`; any issue (a refused policy) fails the test.
    static func engine(_ yaml: String, with objects: [KubeObject], sourceLocation: SourceLocation = #_sourceLocation) -> PolicyEngine {
        let engine = PolicyEngine(objects: objects + decode(yaml, sourceLocation: sourceLocation))
        #expect(engine.issues.isEmpty, "engine issues: \(engine.issues)", sourceLocation: sourceLocation)
        return engine
    }

    /// A Pod with labels, an optional IP and container ports.
    static func pod(
        _ namespace: String, _ name: String, labels: [String: String] = [:], ip: String? = nil, ports: [ContainerPort] = []
    ) -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            spec: PodSpec(containers: [Container(name: "main", ports: ports)]),
            status: ip.map { PodStatus(podIP: $0) }
        )
    }

    /// A Namespace with labels.
    static func namespace(_ name: String, labels: [String: String] = [:]) -> Namespace {
        Namespace(metadata: ObjectMeta(name: name, labels: labels))
    }

    /// `namespace/name` or an IP literal as an endpoint (a typo in a test crashes the test, as it should).
    static func endpoint(_ text: String) -> PolicyEndpoint {
        guard let endpoint = PolicyEndpoint(text) else { fatalError("bad endpoint in test: \(text)") }
        return endpoint
    }

    /// The verdict for a query that must be answerable.
    static func verdict(
        _ engine: PolicyEngine, _ from: String, _ to: String, _ port: Int, _ proto: PolicyProtocol = .tcp
    ) throws -> PolicyVerdict {
        try engine.verdict(from: endpoint(from), to: endpoint(to), port: port, protocol: proto)
    }

    // MARK: - The Kubernetes e2e network policy model

    /// Namespaces `x`, `y`, `z`, labelled `ns=<name>` as the e2e framework labels them.
    static let e2eNamespaceNames = ["x", "y", "z"]
    /// Pods `a`, `b`, `c` in each namespace.
    static let e2ePodNames = ["a", "b", "c"]

    /// The e2e model's objects: in each of x, y, z, Pods a, b, c labelled `pod=<name>`, each serving ports 80 and 81
    /// on TCP, UDP and SCTP (container `cont-80-tcp`, port name `serve-80-tcp`, …). Pod IPs are `10.0.<ns>.<pod>`
    /// with x, y, z = 1, 2, 3 and a, b, c = 1, 2, 3 (so `10.0.2.0/24` is namespace y).
    static let e2eObjects: [KubeObject] = {
        var objects: [KubeObject] = []
        for (nsIndex, ns) in e2eNamespaceNames.enumerated() {
            objects.append(.namespace(namespace(ns, labels: ["ns": ns])))
            for (podIndex, name) in e2ePodNames.enumerated() {
                var containers: [Container] = []
                for port in [80, 81] {
                    for proto in ["TCP", "UDP", "SCTP"] {
                        let suffix = "\(port)-\(proto.lowercased())"
                        containers.append(
                            Container(
                                name: "cont-\(suffix)", image: "agnhost",
                                ports: [ContainerPort(name: "serve-\(suffix)", containerPort: port, protocol: proto)]))
                    }
                }
                let pod = Pod(
                    metadata: ObjectMeta(name: name, namespace: ns, labels: ["pod": name]),
                    spec: PodSpec(containers: containers),
                    status: PodStatus(podIP: "10.0.\(nsIndex + 1).\(podIndex + 1)"))
                objects.append(.pod(pod))
            }
        }
        return objects
    }()

    /// An engine over the e2e model and the policies in `yaml`.
    static func e2e(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> PolicyEngine {
        engine(yaml, with: e2eObjects, sourceLocation: sourceLocation)
    }
}
