import KubeModel
import Policy
import Testing

/// The examples of the Kubernetes documentation page "Network Policies" (concepts/services-networking), each checked
/// with several queries.
struct DocumentationExampleTests {
    /// Pods around the examples: `default/db` (role=db), `default/frontend`, `default/other`, a client in the namespace
    /// labelled `project=myproject`, one in an unlabelled namespace, and in `alice`'s namespace a client and a worker.
    static let objects: [KubeObject] = [
        .namespace(Fixtures.namespace("default")),
        .namespace(Fixtures.namespace("myproject", labels: ["project": "myproject"])),
        .namespace(Fixtures.namespace("otherproject")),
        .namespace(Fixtures.namespace("alice-ns", labels: ["user": "alice"])),
        .pod(
            Fixtures.pod(
                "default", "db", labels: ["role": "db"], ip: "10.244.0.10", ports: [ContainerPort(name: "redis", containerPort: 6379)])),
        .pod(Fixtures.pod("default", "frontend", labels: ["role": "frontend"], ip: "10.244.0.11")),
        .pod(Fixtures.pod("default", "other", labels: ["role": "other"], ip: "10.244.0.12")),
        .pod(Fixtures.pod("default", "client", labels: ["role": "client"], ip: "10.244.0.13")),
        .pod(Fixtures.pod("myproject", "client", labels: ["role": "client"], ip: "10.244.1.5")),
        .pod(Fixtures.pod("otherproject", "client", labels: ["role": "client"], ip: "10.244.2.5")),
        .pod(Fixtures.pod("alice-ns", "client", labels: ["role": "client"], ip: "10.244.3.5")),
        .pod(Fixtures.pod("alice-ns", "worker", labels: ["role": "worker"], ip: "10.244.3.6")),
    ]

    /// A query and its expected answer.
    struct Query: CustomTestStringConvertible, Sendable {
        var from: String
        var to: String
        var port: Int
        var proto: PolicyProtocol = .tcp
        var allowed: Bool
        var testDescription: String { "\(from) -> \(to) \(proto)/\(port) \(allowed ? "allowed" : "blocked")" }
    }

    // MARK: - test-network-policy

    static let testNetworkPolicy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: test-network-policy
          namespace: default
        spec:
          podSelector:
            matchLabels:
              role: db
          policyTypes:
          - Ingress
          - Egress
          ingress:
          - from:
            - ipBlock:
                cidr: 172.17.0.0/16
                except:
                - 172.17.1.0/24
            - namespaceSelector:
                matchLabels:
                  project: myproject
            - podSelector:
                matchLabels:
                  role: frontend
            ports:
            - protocol: TCP
              port: 6379
          egress:
          - to:
            - ipBlock:
                cidr: 10.0.0.0/24
            ports:
            - protocol: TCP
              port: 5978
        """

    static let testNetworkPolicyQueries: [Query] = [
        Query(from: "default/frontend", to: "default/db", port: 6379, allowed: true),
        Query(from: "default/frontend", to: "default/db", port: 6380, allowed: false),
        Query(from: "default/frontend", to: "default/db", port: 6379, proto: .udp, allowed: false),
        Query(from: "default/other", to: "default/db", port: 6379, allowed: false),
        Query(from: "myproject/client", to: "default/db", port: 6379, allowed: true),
        Query(from: "otherproject/client", to: "default/db", port: 6379, allowed: false),
        Query(from: "172.17.0.5", to: "default/db", port: 6379, allowed: true),
        Query(from: "172.17.1.5", to: "default/db", port: 6379, allowed: false),
        Query(from: "192.168.0.1", to: "default/db", port: 6379, allowed: false),
        Query(from: "default/db", to: "10.0.0.7", port: 5978, allowed: true),
        Query(from: "default/db", to: "10.0.0.7", port: 80, allowed: false),
        Query(from: "default/db", to: "10.0.1.7", port: 5978, allowed: false),
        Query(from: "default/db", to: "default/frontend", port: 80, allowed: false),
        Query(from: "default/frontend", to: "default/other", port: 80, allowed: true),
        Query(from: "default/db", to: "default/db", port: 1, allowed: true),
    ]

    @Test(arguments: testNetworkPolicyQueries)
    func testNetworkPolicy(_ query: Query) throws {
        let engine = Fixtures.engine(Self.testNetworkPolicy, with: Self.objects)
        #expect(try Fixtures.verdict(engine, query.from, query.to, query.port, query.proto).allowed == query.allowed)
    }

    @Test func testNetworkPolicyReasons() throws {
        let engine = Fixtures.engine(Self.testNetworkPolicy, with: Self.objects)
        let fromProject = try Fixtures.verdict(engine, "myproject/client", "default/db", 6379)
        #expect(fromProject.egress?.outcome == .notIsolated)
        #expect(fromProject.ingress?.policies == ["test-network-policy"])
        #expect(fromProject.ingress?.admittedBy == RuleMatch(policy: "test-network-policy", direction: .ingress, rule: 0, peer: 1, port: 0))

        let outside = try Fixtures.verdict(engine, "172.17.0.5", "default/db", 6379)
        #expect(outside.note == .externalSource)
        #expect(outside.egress == nil)
        #expect(outside.ingress?.admittedBy?.peer == 0)

        let excepted = try Fixtures.verdict(engine, "172.17.1.5", "default/db", 6379)
        #expect(excepted.ingress?.outcome == .denied)

        let egress = try Fixtures.verdict(engine, "default/db", "10.0.0.7", 5978)
        #expect(egress.note == .externalDestination)
        #expect(egress.ingress == nil)
        #expect(egress.egress?.admittedBy == RuleMatch(policy: "test-network-policy", direction: .egress, rule: 0, peer: 0, port: 0))

        let toFrontend = try Fixtures.verdict(engine, "default/db", "default/frontend", 80)
        #expect(toFrontend.egress?.outcome == .denied)
        #expect(toFrontend.ingress?.outcome == .notIsolated)
    }

    // MARK: - namespaceSelector and podSelector: one peer (AND) versus two peers (OR)

    static func aliceClients(_ peers: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: alice-clients, namespace: default}
        spec:
          podSelector: {matchLabels: {role: db}}
          ingress:
          - from:
        \(peers)
        """
    }

    @Test(arguments: [
        ("alice-ns/client", true, true),
        ("alice-ns/worker", false, true),
        ("default/client", false, true),
        ("myproject/client", false, false),
        ("default/other", false, false),
    ])
    func namespaceAndPodSelectorOnePeerVersusTwo(from: String, andAllowed: Bool, orAllowed: Bool) throws {
        let and = Fixtures.engine(
            Self.aliceClients(
                """
                    - namespaceSelector: {matchLabels: {user: alice}}
                      podSelector: {matchLabels: {role: client}}
                """), with: Self.objects)
        let or = Fixtures.engine(
            Self.aliceClients(
                """
                    - namespaceSelector: {matchLabels: {user: alice}}
                    - podSelector: {matchLabels: {role: client}}
                """), with: Self.objects)
        #expect(try Fixtures.verdict(and, from, "default/db", 6379).allowed == andAllowed)
        #expect(try Fixtures.verdict(or, from, "default/db", 6379).allowed == orAllowed)
    }

    // MARK: - Default policies

    static let defaultDenyIngress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: default-deny-ingress
        spec:
          podSelector: {}
          policyTypes:
          - Ingress
        """
    static let allowAllIngress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-all-ingress
        spec:
          podSelector: {}
          ingress:
          - {}
          policyTypes:
          - Ingress
        """
    static let defaultDenyEgress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: default-deny-egress
        spec:
          podSelector: {}
          policyTypes:
          - Egress
        """
    static let allowAllEgress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-all-egress
        spec:
          podSelector: {}
          egress:
          - {}
          policyTypes:
          - Egress
        """
    static let defaultDenyAll = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: default-deny-all
        spec:
          podSelector: {}
          policyTypes:
          - Ingress
          - Egress
        """

    /// A default policy and what it does to traffic into, out of, and outside of the `default` namespace.
    struct DefaultCase: CustomTestStringConvertible, Sendable {
        var name: String
        var policies: String
        var intoDefault: Bool
        var outOfDefault: Bool
        var withinDefault: Bool
        var outsideSourceIntoDefault: Bool
        var defaultToOutside: Bool
        var testDescription: String { name }
    }

    static let defaultCases: [DefaultCase] = [
        DefaultCase(
            name: "default-deny-ingress", policies: defaultDenyIngress, intoDefault: false, outOfDefault: true, withinDefault: false,
            outsideSourceIntoDefault: false, defaultToOutside: true),
        DefaultCase(
            name: "allow-all-ingress", policies: allowAllIngress, intoDefault: true, outOfDefault: true, withinDefault: true,
            outsideSourceIntoDefault: true, defaultToOutside: true),
        DefaultCase(
            name: "default-deny-ingress + allow-all-ingress", policies: defaultDenyIngress + "\n---\n" + allowAllIngress,
            intoDefault: true, outOfDefault: true, withinDefault: true, outsideSourceIntoDefault: true, defaultToOutside: true),
        DefaultCase(
            name: "default-deny-egress", policies: defaultDenyEgress, intoDefault: true, outOfDefault: false, withinDefault: false,
            outsideSourceIntoDefault: true, defaultToOutside: false),
        DefaultCase(
            name: "allow-all-egress", policies: allowAllEgress, intoDefault: true, outOfDefault: true, withinDefault: true,
            outsideSourceIntoDefault: true, defaultToOutside: true),
        DefaultCase(
            name: "default-deny-all", policies: defaultDenyAll, intoDefault: false, outOfDefault: false, withinDefault: false,
            outsideSourceIntoDefault: false, defaultToOutside: false),
        DefaultCase(
            name: "default-deny-all + allow-all-egress", policies: defaultDenyAll + "\n---\n" + allowAllEgress,
            intoDefault: false, outOfDefault: true, withinDefault: false, outsideSourceIntoDefault: false, defaultToOutside: true),
    ]

    @Test(arguments: defaultCases)
    func defaultPolicies(_ testCase: DefaultCase) throws {
        let engine = Fixtures.engine(testCase.policies, with: Self.objects)
        #expect(try Fixtures.verdict(engine, "myproject/client", "default/db", 6379).allowed == testCase.intoDefault)
        #expect(try Fixtures.verdict(engine, "default/frontend", "myproject/client", 8080).allowed == testCase.outOfDefault)
        #expect(try Fixtures.verdict(engine, "default/frontend", "default/db", 6379).allowed == testCase.withinDefault)
        #expect(try Fixtures.verdict(engine, "203.0.113.1", "default/db", 6379).allowed == testCase.outsideSourceIntoDefault)
        #expect(try Fixtures.verdict(engine, "default/db", "203.0.113.1", 443, .udp).allowed == testCase.defaultToOutside)
        // Other namespaces are untouched, and a pod always reaches itself.
        #expect(try Fixtures.verdict(engine, "myproject/client", "otherproject/client", 80).allowed)
        #expect(try Fixtures.verdict(engine, "default/db", "default/db", 6379).allowed)
    }

    // MARK: - endPort

    static let multiPortEgress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: multi-port-egress
          namespace: default
        spec:
          podSelector:
            matchLabels:
              role: db
          policyTypes:
            - Egress
          egress:
            - to:
                - ipBlock:
                    cidr: 10.0.0.0/24
              ports:
                - protocol: TCP
                  port: 32000
                  endPort: 32768
        """

    @Test(arguments: [
        Query(from: "default/db", to: "10.0.0.1", port: 32000, allowed: true),
        Query(from: "default/db", to: "10.0.0.1", port: 32500, allowed: true),
        Query(from: "default/db", to: "10.0.0.255", port: 32768, allowed: true),
        Query(from: "default/db", to: "10.0.0.1", port: 31999, allowed: false),
        Query(from: "default/db", to: "10.0.0.1", port: 32769, allowed: false),
        Query(from: "default/db", to: "10.0.0.1", port: 32000, proto: .udp, allowed: false),
        Query(from: "default/db", to: "10.0.1.1", port: 32000, allowed: false),
        Query(from: "default/db", to: "default/frontend", port: 32000, allowed: false),
        Query(from: "default/frontend", to: "10.0.1.1", port: 1, allowed: true),
        Query(from: "10.0.0.1", to: "default/db", port: 32000, allowed: true),
    ])
    func multiPortEgress(_ query: Query) throws {
        let engine = Fixtures.engine(Self.multiPortEgress, with: Self.objects)
        #expect(try Fixtures.verdict(engine, query.from, query.to, query.port, query.proto).allowed == query.allowed)
    }

    // MARK: - Targeting a namespace by its name

    @Test func namespaceByItsAutomaticNameLabel() throws {
        let engine = Fixtures.engine(
            """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-namespaces, namespace: default}
            spec:
              podSelector: {matchLabels: {role: db}}
              policyTypes: [Egress]
              egress:
              - to:
                - namespaceSelector:
                    matchExpressions:
                    - key: kubernetes.io/metadata.name
                      operator: In
                      values: ["myproject", "ghost"]
            """, with: Self.objects)
        #expect(try Fixtures.verdict(engine, "default/db", "myproject/client", 80).allowed)
        #expect(try Fixtures.verdict(engine, "default/db", "otherproject/client", 80).allowed == false)
    }

    @Test func namespaceMissingFromTheManifestsHasItsNameLabel() throws {
        // `ghost` has a pod but no Namespace object: it still carries kubernetes.io/metadata.name=ghost.
        let objects: [KubeObject] = Self.objects + [.pod(Fixtures.pod("ghost", "p", labels: ["role": "client"]))]
        let engine = Fixtures.engine(
            """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: from-ghost, namespace: default}
            spec:
              podSelector: {matchLabels: {role: db}}
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ghost}}
            """, with: objects)
        #expect(try Fixtures.verdict(engine, "ghost/p", "default/db", 6379).allowed)
        #expect(try Fixtures.verdict(engine, "myproject/client", "default/db", 6379).allowed == false)
    }
}
