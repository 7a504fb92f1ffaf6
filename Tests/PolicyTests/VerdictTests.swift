import Foundation
import KubeModel
import Policy
import Testing

/// Verdict structure, explanations, special cases, queries and their JSON (the `policy check` format).
struct VerdictTests {
    /// x/a only from x/b on port 80; y isolated for egress except to x; plus an invalid policy that must be refused.
    static let policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: a-from-b, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from:
            - podSelector: {matchLabels: {pod: c}}
            - podSelector: {matchLabels: {pod: b}}
            ports: [{port: 81}, {port: 80}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: y-egress-to-x, namespace: y}
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
          - to:
            - namespaceSelector: {matchLabels: {ns: x}}
        """

    static let engine = Fixtures.e2e(policies)

    @Test func admittedVerdictNamesPolicyRulePeerAndPort() throws {
        let verdict = try Fixtures.verdict(Self.engine, "x/b", "x/a", 80)
        #expect(verdict.allowed)
        #expect(verdict.note == nil)
        #expect(verdict.fromPod == "x/b")
        #expect(verdict.toPod == "x/a")
        #expect(verdict.egress == DirectionVerdict(direction: .egress, pod: "x/b", outcome: .notIsolated, policies: [], admittedBy: nil))
        #expect(
            verdict.ingress
                == DirectionVerdict(
                    direction: .ingress, pod: "x/a", outcome: .admitted, policies: ["a-from-b"],
                    admittedBy: RuleMatch(policy: "a-from-b", direction: .ingress, rule: 0, peer: 1, port: 1)))
        #expect(
            verdict.description == """
                x/b -> x/a TCP/80: allowed
                  egress of x/b: not isolated (no policy selects it for egress)
                  ingress of x/a: isolated by a-from-b; admitted by a-from-b spec.ingress[0] (from[1], ports[1])
                """)
        #expect(
            verdict.summary
                == "x/b -> x/a TCP/80: allowed: egress of x/b: not isolated (no policy selects it for egress); "
                + "ingress of x/a: isolated by a-from-b; admitted by a-from-b spec.ingress[0] (from[1], ports[1])")
    }

    @Test func deniedInBothDirections() throws {
        let verdict = try Fixtures.verdict(Self.engine, "y/a", "z/a", 80)
        #expect(verdict.allowed == false)
        #expect(verdict.egress?.outcome == .denied)
        #expect(verdict.egress?.policies == ["y-egress-to-x"])
        #expect(verdict.ingress?.outcome == .notIsolated)

        let both = try Fixtures.verdict(Self.engine, "y/a", "x/a", 80)
        #expect(both.allowed == false)
        #expect(both.egress?.admittedBy == RuleMatch(policy: "y-egress-to-x", direction: .egress, rule: 0, peer: 0, port: nil))
        #expect(both.ingress?.outcome == .denied)
        #expect(both.reason.contains("ingress of x/a: isolated by a-from-b; denied: no ingress rule admits it"))
        #expect(
            RuleMatch(policy: "p", direction: .egress, rule: 2, peer: nil, port: nil).description == "p spec.egress[2] (any peer, any port)"
        )
    }

    @Test func samePodIsAlwaysAllowed() throws {
        let engine = Fixtures.e2e(
            """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Ingress, Egress]
            """)
        let verdict = try Fixtures.verdict(engine, "x/a", "x/a", 80)
        #expect(verdict.allowed)
        #expect(verdict.note == .samePod)
        #expect(verdict.egress == nil && verdict.ingress == nil)
        // The pod's own IP is the pod.
        #expect(try Fixtures.verdict(engine, "10.0.1.1", "x/a", 80).note == .samePod)
        #expect(try Fixtures.verdict(engine, "x/a", "x/b", 80).allowed == false)
    }

    @Test func addressOfAPodIsThatPod() throws {
        let verdict = try Fixtures.verdict(Self.engine, "10.0.1.2", "x/a", 80)
        #expect(verdict.allowed)
        #expect(verdict.fromPod == "x/b")
        #expect(verdict.note == nil)
        #expect(verdict.description.hasPrefix("10.0.1.2 (x/b) -> x/a TCP/80: allowed"))
        // y's egress applies when y/a is named by its address.
        #expect(try Fixtures.verdict(Self.engine, "10.0.2.1", "z/a", 80).allowed == false)
    }

    @Test func outsideAddresses() throws {
        let inbound = try Fixtures.verdict(Self.engine, "198.51.100.7", "x/a", 80)
        #expect(inbound.allowed == false)
        #expect(inbound.note == .externalSource)
        #expect(inbound.fromPod == nil)
        #expect(try Fixtures.verdict(Self.engine, "198.51.100.7", "x/b", 80).allowed)

        let outbound = try Fixtures.verdict(Self.engine, "y/b", "198.51.100.7", 443)
        #expect(outbound.allowed == false)
        #expect(outbound.note == .externalDestination)
        #expect(try Fixtures.verdict(Self.engine, "z/b", "2001:db8::1", 443).allowed)

        let neither = try Fixtures.verdict(Self.engine, "198.51.100.7", "198.51.100.8", 443)
        #expect(neither.allowed)
        #expect(neither.note == .noPod)
    }

    @Test func namedPortNeverMatchesAnOutsideDestination() throws {
        let engine = Fixtures.e2e(
            """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-named, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress:
              - ports: [{port: serve-80-tcp}]
            """)
        #expect(try Fixtures.verdict(engine, "x/a", "y/a", 80).allowed)
        #expect(try Fixtures.verdict(engine, "x/a", "198.51.100.7", 80).allowed == false)
    }

    @Test func podWithoutAnAddressMatchesSelectorsButNoIPBlock() throws {
        let objects = Fixtures.e2eObjects + [.pod(Fixtures.pod("z", "pending", labels: ["pod": "b"]))]
        let engine = Fixtures.engine(
            """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: from-b-or-z-cidr, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              ingress:
              - from:
                - ipBlock: {cidr: 10.0.3.0/24}
              - from:
                - namespaceSelector: {}
                  podSelector: {matchLabels: {pod: b}}
                ports: [{port: 81}]
            """, with: objects)
        #expect(try Fixtures.verdict(engine, "z/a", "x/a", 80).allowed)
        #expect(try Fixtures.verdict(engine, "z/pending", "x/a", 80).allowed == false)
        #expect(try Fixtures.verdict(engine, "z/pending", "x/a", 81).ingress?.admittedBy?.rule == 1)
        #expect(engine.podNames.contains("z/pending"))
    }

    @Test func queryErrors() {
        #expect(throws: PolicyQueryError.unknownPod("x/nope")) { try Fixtures.verdict(Self.engine, "x/a", "x/nope", 80) }
        #expect(throws: PolicyQueryError.invalidPort(0)) { try Fixtures.verdict(Self.engine, "x/a", "x/b", 0) }
        #expect(throws: PolicyQueryError.invalidPort(65536)) { try Fixtures.verdict(Self.engine, "x/a", "x/b", 65536) }
        let answer = Self.engine.answer(PolicyQuery(from: Fixtures.endpoint("q/p"), to: Fixtures.endpoint("x/a"), port: 80))
        #expect(answer == .failure(PolicyQuery(from: Fixtures.endpoint("q/p"), to: Fixtures.endpoint("x/a"), port: 80), .unknownPod("q/p")))
        #expect(answer.allowed == nil)
    }

    @Test func isolatingPoliciesAndInvalidPoliciesAreRefused() throws {
        let engine = PolicyEngine(
            objects: Fixtures.e2eObjects
                + Fixtures.decode(
                    Self.policies + """

                        ---
                        apiVersion: networking.k8s.io/v1
                        kind: NetworkPolicy
                        metadata: {name: broken, namespace: x}
                        spec:
                          podSelector: {}
                          ingress:
                          - from: [{}]
                        """))
        #expect(engine.issues.map(\.description) == ["x/broken: spec.ingress[0].from[0]: Required value: must specify a peer"])
        // Had `broken` been applied, x/b would be isolated.
        #expect(try engine.isolatingPolicies(of: Fixtures.endpoint("x/b"), .ingress) == [])
        #expect(try engine.isolatingPolicies(of: Fixtures.endpoint("x/a"), .ingress) == ["a-from-b"])
        #expect(try engine.isolatingPolicies(of: Fixtures.endpoint("y/c"), .egress) == ["y-egress-to-x"])
        #expect(try Fixtures.verdict(engine, "z/c", "x/b", 80).allowed)
    }

    @Test(arguments: [
        ("x/a", PolicyEndpoint.pod(namespace: "x", name: "a")),
        ("10.0.0.1", PolicyEndpoint.ip(IPAddress("10.0.0.1") ?? IPAddress("0.0.0.0")!)),
        ("fd00::1", PolicyEndpoint.ip(IPAddress("fd00::1") ?? IPAddress("::")!)),
    ])
    func endpointText(_ text: String, _ expected: PolicyEndpoint) {
        #expect(PolicyEndpoint(text) == expected)
        #expect(expected.description == text)
    }

    @Test(arguments: ["a", "x/", "/a", "x/a/b", "", "300.0.0.1"])
    func malformedEndpointText(_ text: String) {
        #expect(PolicyEndpoint(text) == nil)
    }

    @Test func queriesDecodeFromThePolicyCheckFormat() throws {
        let json = """
            [
              {"from": "x/b", "to": "x/a", "port": 80, "protocol": "TCP"},
              {"from": {"ip": "10.0.3.3"}, "to": "x/a", "port": 81},
              {"from": {"pod": "y/a"}, "to": {"ip": "198.51.100.7"}, "port": 53, "protocol": "udp"},
              {"from": "x/b", "to": "nope/nope", "port": 80}
            ]
            """
        let queries = try JSONDecoder().decode([PolicyQuery].self, from: Data(json.utf8))
        #expect(queries.count == 4)
        #expect(queries[1].from == .ip(try #require(IPAddress("10.0.3.3"))))
        #expect(queries[1].protocol == .tcp)
        #expect(queries[2].protocol == .udp)
        let answers = Self.engine.check(queries)
        #expect(answers.map(\.allowed) == [true, false, false, nil])

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let first = String(decoding: try encoder.encode(answers[0]), as: UTF8.self)
        #expect(
            first == """
                {"allowed":true,"egress":{"direction":"egress","outcome":"notIsolated","pod":"x\\/b","policies":[]},\
                "from":"x\\/b","fromPod":"x\\/b","ingress":{"admittedBy":{"direction":"ingress","peer":1,"policy":"a-from-b","port":1,"rule":0},\
                "direction":"ingress","outcome":"admitted","pod":"x\\/a","policies":["a-from-b"]},"port":80,"protocol":"TCP",\
                "reason":"egress of x\\/b: not isolated (no policy selects it for egress); ingress of x\\/a: isolated by a-from-b; \
                admitted by a-from-b spec.ingress[0] (from[1], ports[1])","to":"x\\/a","toPod":"x\\/a"}
                """)
        let second = String(decoding: try encoder.encode(answers[1]), as: UTF8.self)
        #expect(second.contains(#""from":{"ip":"10.0.3.3"}"#))
        #expect(second.contains(#""allowed":false"#))
        let failure = String(decoding: try encoder.encode(answers[3]), as: UTF8.self)
        #expect(failure == #"{"error":"unknown pod nope\/nope","from":"x\/b","port":80,"protocol":"TCP","to":"nope\/nope"}"#)

        // A verdict survives a JSON round trip.
        if case .verdict(let verdict) = answers[2] {
            #expect(try JSONDecoder().decode(PolicyVerdict.self, from: encoder.encode(verdict)) == verdict)
        } else {
            Issue.record("expected a verdict, got \(answers[2])")
        }
    }

    @Test(arguments: [
        #"{"from": "x", "to": "x/a", "port": 80}"#,
        #"{"from": {"ip": "not-an-ip"}, "to": "x/a", "port": 80}"#,
        #"{"from": "x/a", "to": "x/b", "port": 80, "protocol": "ICMP"}"#,
        #"{"from": "x/a", "to": "x/b"}"#,
    ])
    func malformedQueriesDoNotDecode(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PolicyQuery.self, from: Data(json.utf8)) }
    }

    @Test func matrixJSONAndLookup() throws {
        let matrix = Self.engine.matrix(port: 80)
        #expect(matrix.pods == ["x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c"])
        #expect(matrix.isAllowed(from: "x/b", to: "x/a") == true)
        #expect(matrix.isAllowed(from: "y/a", to: "x/a") == false)
        #expect(matrix.isAllowed(from: "x/c", to: "q/q") == nil)
        // Blocked: y and z pods to x/a (6); each y pod to the two other y pods and the three z pods (3 × 5).
        #expect(matrix.blockedCount == 6 + 3 * 5)
        let decoded = try JSONDecoder().decode(ReachabilityMatrix.self, from: JSONEncoder().encode(matrix))
        #expect(decoded == matrix)
    }

    /// `policy check` must answer thousands of queries in one call: 200 pods, 40 policies, 20,000 queries.
    @Test func thousandsOfQueries() throws {
        var objects: [KubeObject] = []
        var yaml: [String] = []
        for ns in 0..<10 {
            objects.append(.namespace(Fixtures.namespace("ns\(ns)", labels: ["team": "t\(ns % 3)"])))
            for pod in 0..<20 {
                objects.append(.pod(Fixtures.pod("ns\(ns)", "p\(pod)", labels: ["app": "a\(pod % 5)"], ip: "10.\(ns).0.\(pod + 1)")))
            }
            for app in 0..<4 {
                yaml.append(
                    """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: p\(app), namespace: ns\(ns)}
                    spec:
                      podSelector: {matchLabels: {app: a\(app)}}
                      policyTypes: [Ingress, Egress]
                      ingress:
                      - from:
                        - namespaceSelector: {matchLabels: {team: t\(app % 3)}}
                          podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [a\(app)]}]}
                        - ipBlock: {cidr: 10.\(app).0.0/16, except: [10.\(app).0.0/28]}
                        ports: [{port: 8000, endPort: 8100}, {port: 443}]
                      egress:
                      - to:
                        - podSelector: {}
                      - to:
                        - namespaceSelector: {matchLabels: {team: t\(app % 3)}}
                        ports: [{port: 8080}]
                    """)
            }
        }
        let engine = Fixtures.engine(yaml.joined(separator: "\n---\n"), with: objects)
        let names = engine.podNames
        #expect(names.count == 200)
        var queries: [PolicyQuery] = []
        for index in 0..<20_000 {
            let from = Fixtures.endpoint(names[(index * 7) % names.count])
            let to = Fixtures.endpoint(names[(index * 13 + 5) % names.count])
            queries.append(PolicyQuery(from: from, to: to, port: [80, 443, 8080, 8050][index % 4]))
        }
        let clock = ContinuousClock()
        var answers: [PolicyAnswer] = []
        let elapsed = clock.measure { answers = engine.check(queries) }
        #expect(answers.count == queries.count)
        #expect(answers.allSatisfy { $0.allowed != nil })
        #expect(answers.contains { $0.allowed == true } && answers.contains { $0.allowed == false })
        // Generous bound for a debug build on a busy machine; a quadratic or per-query selector evaluation would blow it.
        #expect(elapsed < .seconds(20), "20,000 queries took \(elapsed)")
        for (query, answer) in zip(queries.prefix(500), answers) {
            #expect(try engine.isAllowed(from: query.from, to: query.to, port: query.port) == answer.allowed)
        }
    }
}
