import KubeModel
import Policy
import Testing

/// The tutorial's own `deny-all` and `allow-frontend` policies (seed `manifests/deny-all.yaml`,
/// `manifests/allow-frontend.yaml`, copied verbatim), with frontend, backend and other Pods around them.
///
/// What the tutorial claims: "`allow-frontend` then lets only `app: frontend` Pods reach `app: backend` Pods on TCP 8080 —
/// frontend → backend:8080 allowed, any other Pod → backend blocked."
///
/// What the specification says: `deny-all` lists `Egress` in its `policyTypes` and selects every Pod, so the
/// frontend is isolated for egress with no egress rule anywhere: its connection to the backend is dropped on the
/// way out, although `allow-frontend` admits it on the backend's ingress. With these two policies alone nothing
/// reaches anything (DNS included). The tutorial's picture needs a third policy allowing the frontend's egress to the
/// backend on 8080 (below: `allow-frontend-egress`); with it, frontend → backend:8080 is the only allowed connection.
struct TutorialPolicyTests {
    static let denyAll = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: deny-all
        spec:
          podSelector: {}  # applies to every Pod
          policyTypes:
          - Ingress
          - Egress
        """

    static let allowFrontend = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-frontend
        spec:
          podSelector:
            matchLabels:
              app: backend
          policyTypes:
          - Ingress
          ingress:
          - from:
            - podSelector:
                matchLabels:
                  app: frontend
            ports:
            - protocol: TCP
              port: 8080
        """

    static let allowFrontendEgress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-frontend-egress
        spec:
          podSelector:
            matchLabels:
              app: frontend
          policyTypes:
          - Egress
          egress:
          - to:
            - podSelector:
                matchLabels:
                  app: backend
            ports:
            - protocol: TCP
              port: 8080
        """

    static let pods: [KubeObject] = [
        .pod(
            Fixtures.pod(
                "default", "frontend", labels: ["app": "frontend"], ip: "10.1.0.1", ports: [ContainerPort(name: "http", containerPort: 80)])
        ),
        .pod(
            Fixtures.pod(
                "default", "backend", labels: ["app": "backend"], ip: "10.1.0.2", ports: [ContainerPort(name: "http", containerPort: 8080)])
        ),
        .pod(Fixtures.pod("default", "other", labels: ["app": "other"], ip: "10.1.0.3")),
    ]

    @Test func theTutorialsTwoPoliciesBlockFrontendToBackendOnEgress() throws {
        let engine = Fixtures.engine(Self.denyAll + "\n---\n" + Self.allowFrontend, with: Self.pods)
        let verdict = try Fixtures.verdict(engine, "default/frontend", "default/backend", 8080)
        #expect(verdict.allowed == false)
        #expect(
            verdict.egress
                == DirectionVerdict(direction: .egress, pod: "default/frontend", outcome: .denied, policies: ["deny-all"], admittedBy: nil))
        #expect(
            verdict.ingress?.admittedBy == RuleMatch(policy: "allow-frontend", direction: .ingress, rule: 0, peer: 0, port: 0))
        #expect(verdict.ingress?.policies == ["allow-frontend", "deny-all"])
        #expect(
            verdict.description == """
                default/frontend -> default/backend TCP/8080: blocked
                  egress of default/frontend: isolated by deny-all; denied: no egress rule admits it
                  ingress of default/backend: isolated by allow-frontend, deny-all; admitted by allow-frontend spec.ingress[0] (from[0], ports[0])
                """)
        #expect(
            engine.matrix(port: 8080).description == """
                -                default/backend  default/frontend default/other
                default/backend  .                X                X
                default/frontend X                .                X
                default/other    X                X                .
                """)
    }

    @Test func withFrontendEgressAllowedOnlyFrontendReachesBackendOn8080() throws {
        let engine = Fixtures.engine(
            [Self.denyAll, Self.allowFrontend, Self.allowFrontendEgress].joined(separator: "\n---\n"), with: Self.pods)
        #expect(
            engine.matrix(port: 8080).description == """
                -                default/backend  default/frontend default/other
                default/backend  .                X                X
                default/frontend .                .                X
                default/other    X                X                .
                """)
        #expect(
            engine.matrix(port: 80).description == """
                -                default/backend  default/frontend default/other
                default/backend  .                X                X
                default/frontend X                .                X
                default/other    X                X                .
                """)
        let verdict = try Fixtures.verdict(engine, "default/frontend", "default/backend", 8080)
        #expect(verdict.allowed)
        #expect(verdict.egress?.admittedBy == RuleMatch(policy: "allow-frontend-egress", direction: .egress, rule: 0, peer: 0, port: 0))
        #expect(try Fixtures.verdict(engine, "default/frontend", "default/backend", 8080, .udp).allowed == false)
        #expect(try Fixtures.verdict(engine, "default/other", "default/backend", 8080).allowed == false)
        // Replies on frontend's connection are allowed (stateful), but the backend may not open one to the frontend.
        #expect(try Fixtures.verdict(engine, "default/backend", "default/frontend", 80).allowed == false)
        // Outside addresses (e.g. an Ingress controller outside the namespace) are blocked by deny-all too.
        #expect(try Fixtures.verdict(engine, "192.0.2.10", "default/backend", 8080).allowed == false)
    }

    @Test func allowFrontendAloneIsolatesOnlyTheBackend() throws {
        let engine = Fixtures.engine(Self.allowFrontend, with: Self.pods)
        #expect(try Fixtures.verdict(engine, "default/frontend", "default/backend", 8080).allowed)
        #expect(try Fixtures.verdict(engine, "default/frontend", "default/backend", 9090).allowed == false)
        #expect(try Fixtures.verdict(engine, "default/other", "default/backend", 8080).allowed == false)
        #expect(try Fixtures.verdict(engine, "default/other", "default/frontend", 80).allowed)
        #expect(try Fixtures.verdict(engine, "default/backend", "default/other", 80).allowed)
    }
}
