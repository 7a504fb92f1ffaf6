import KubeModel
import Policy
import Testing

/// Full 9×9 reachability matrices of the Kubernetes e2e model (namespaces x, y, z; Pods a, b, c; see
/// ``Fixtures/e2eObjects``) under policies written from the NetworkPolicy specification. Rows are sources,
/// columns destinations; `.` allowed, `X` blocked (the grid the e2e tests print).
struct E2EModelMatrixTests {
    /// One policy set and the matrix it must produce on one port and protocol.
    struct Case: CustomTestStringConvertible, Sendable {
        /// What the case shows.
        var name: String
        /// The policies (YAML).
        var policies: String
        /// The port of the matrix.
        var port: Int = 80
        /// The protocol of the matrix.
        var proto: PolicyProtocol = .tcp
        /// The expected grid.
        var expected: String

        var testDescription: String { "\(name) (\(proto)/\(port))" }
    }

    static let allAllowed = """
        -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
        x/a .   .   .   .   .   .   .   .   .
        x/b .   .   .   .   .   .   .   .   .
        x/c .   .   .   .   .   .   .   .   .
        y/a .   .   .   .   .   .   .   .   .
        y/b .   .   .   .   .   .   .   .   .
        y/c .   .   .   .   .   .   .   .   .
        z/a .   .   .   .   .   .   .   .   .
        z/b .   .   .   .   .   .   .   .   .
        z/c .   .   .   .   .   .   .   .   .
        """

    static let xIngressDenied = """
        -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
        x/a .   X   X   .   .   .   .   .   .
        x/b X   .   X   .   .   .   .   .   .
        x/c X   X   .   .   .   .   .   .   .
        y/a X   X   X   .   .   .   .   .   .
        y/b X   X   X   .   .   .   .   .   .
        y/c X   X   X   .   .   .   .   .   .
        z/a X   X   X   .   .   .   .   .   .
        z/b X   X   X   .   .   .   .   .   .
        z/c X   X   X   .   .   .   .   .   .
        """

    static let xEgressDenied = """
        -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
        x/a .   X   X   X   X   X   X   X   X
        x/b X   .   X   X   X   X   X   X   X
        x/c X   X   .   X   X   X   X   X   X
        y/a .   .   .   .   .   .   .   .   .
        y/b .   .   .   .   .   .   .   .   .
        y/c .   .   .   .   .   .   .   .   .
        z/a .   .   .   .   .   .   .   .   .
        z/b .   .   .   .   .   .   .   .   .
        z/c .   .   .   .   .   .   .   .   .
        """

    /// Only x/b (and x/a itself) reach x/a; everything else is open.
    static let xaFromXbOnly = """
        -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
        x/a .   .   .   .   .   .   .   .   .
        x/b .   .   .   .   .   .   .   .   .
        x/c X   .   .   .   .   .   .   .   .
        y/a X   .   .   .   .   .   .   .   .
        y/b X   .   .   .   .   .   .   .   .
        y/c X   .   .   .   .   .   .   .   .
        z/a X   .   .   .   .   .   .   .   .
        z/b X   .   .   .   .   .   .   .   .
        z/c X   .   .   .   .   .   .   .   .
        """

    /// Nothing but x/a itself reaches x/a.
    static let xaIsolated = """
        -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
        x/a .   .   .   .   .   .   .   .   .
        x/b X   .   .   .   .   .   .   .   .
        x/c X   .   .   .   .   .   .   .   .
        y/a X   .   .   .   .   .   .   .   .
        y/b X   .   .   .   .   .   .   .   .
        y/c X   .   .   .   .   .   .   .   .
        z/a X   .   .   .   .   .   .   .   .
        z/b X   .   .   .   .   .   .   .   .
        z/c X   .   .   .   .   .   .   .   .
        """

    /// A policy selecting x/a with one ingress rule whose `from` is the given peers (YAML list items, 4-space indent).
    static func ingressToXA(_ name: String, from peers: String, ports: String = "") -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: \(name), namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from:
        \(peers)
        \(ports)
        """
    }

    static let denyIngressX = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-ingress, namespace: x}
        spec:
          podSelector: {}
        """

    static let denyEgressX = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-egress, namespace: x}
        spec:
          podSelector: {}
          policyTypes: [Egress]
        """

    static let cases: [Case] = [
        Case(name: "default deny ingress (policyTypes omitted, no rules)", policies: denyIngressX, expected: xIngressDenied),
        Case(name: "default deny egress", policies: denyEgressX, expected: xEgressDenied),
        Case(
            name: "default deny all",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: x}
                spec:
                  podSelector: {}
                  policyTypes: [Ingress, Egress]
                """,
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   X   X   X   X   X   X   X   X
                x/b X   .   X   X   X   X   X   X   X
                x/c X   X   .   X   X   X   X   X   X
                y/a X   X   X   .   .   .   .   .   .
                y/b X   X   X   .   .   .   .   .   .
                y/c X   X   X   .   .   .   .   .   .
                z/a X   X   X   .   .   .   .   .   .
                z/b X   X   X   .   .   .   .   .   .
                z/c X   X   X   .   .   .   .   .   .
                """),
        Case(
            name: "pod selector peer (policy's namespace only)",
            policies: ingressToXA("allow-b", from: "    - podSelector: {matchLabels: {pod: b}}"),
            expected: xaFromXbOnly),
        Case(
            name: "namespace selector peer",
            policies: ingressToXA("allow-y", from: "    - namespaceSelector: {matchLabels: {ns: y}}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a .   .   .   .   .   .   .   .   .
                y/b .   .   .   .   .   .   .   .   .
                y/c .   .   .   .   .   .   .   .   .
                z/a X   .   .   .   .   .   .   .   .
                z/b X   .   .   .   .   .   .   .   .
                z/c X   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "namespace AND pod selector in one peer",
            policies: ingressToXA(
                "allow-yb",
                from: """
                        - namespaceSelector: {matchLabels: {ns: y}}
                          podSelector: {matchLabels: {pod: b}}
                    """),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b .   .   .   .   .   .   .   .   .
                y/c X   .   .   .   .   .   .   .   .
                z/a X   .   .   .   .   .   .   .   .
                z/b X   .   .   .   .   .   .   .   .
                z/c X   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "namespace OR pod selector as two peers",
            policies: ingressToXA(
                "allow-y-or-b",
                from: """
                        - namespaceSelector: {matchLabels: {ns: y}}
                        - podSelector: {matchLabels: {pod: b}}
                    """),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b .   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a .   .   .   .   .   .   .   .   .
                y/b .   .   .   .   .   .   .   .   .
                y/c .   .   .   .   .   .   .   .   .
                z/a X   .   .   .   .   .   .   .   .
                z/b X   .   .   .   .   .   .   .   .
                z/c X   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "matchExpressions NotIn on namespaces",
            policies: ingressToXA(
                "allow-not-x",
                from: "    - namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a .   .   .   .   .   .   .   .   .
                y/b .   .   .   .   .   .   .   .   .
                y/c .   .   .   .   .   .   .   .   .
                z/a .   .   .   .   .   .   .   .   .
                z/b .   .   .   .   .   .   .   .   .
                z/c .   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "matchExpressions In on pods of every namespace",
            policies: ingressToXA(
                "allow-b-c",
                from: """
                        - namespaceSelector: {}
                          podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}
                    """),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b .   .   .   .   .   .   .   .   .
                x/c .   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b .   .   .   .   .   .   .   .   .
                y/c .   .   .   .   .   .   .   .   .
                z/a X   .   .   .   .   .   .   .   .
                z/b .   .   .   .   .   .   .   .   .
                z/c .   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "matchExpressions NotIn selects the isolated pods, DoesNotExist admits nobody",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: not-a, namespace: y}
                spec:
                  podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [a]}]}
                  ingress:
                  - from:
                    - namespaceSelector: {matchExpressions: [{key: ns, operator: DoesNotExist}]}
                """,
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   X   X   .   .   .
                x/b .   .   .   .   X   X   .   .   .
                x/c .   .   .   .   X   X   .   .   .
                y/a .   .   .   .   X   X   .   .   .
                y/b .   .   .   .   .   X   .   .   .
                y/c .   .   .   .   X   .   .   .   .
                z/a .   .   .   .   X   X   .   .   .
                z/b .   .   .   .   X   X   .   .   .
                z/c .   .   .   .   X   X   .   .   .
                """),
        Case(
            name: "matchExpressions Exists selects every pod, In picks the a pods everywhere",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-a, namespace: y}
                spec:
                  podSelector: {matchExpressions: [{key: pod, operator: Exists}]}
                  ingress:
                  - from:
                    - namespaceSelector: {matchExpressions: [{key: ns, operator: Exists}]}
                      podSelector: {matchExpressions: [{key: pod, operator: In, values: [a]}]}
                """,
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b .   .   .   X   X   X   .   .   .
                x/c .   .   .   X   X   X   .   .   .
                y/a .   .   .   .   .   .   .   .   .
                y/b .   .   .   X   .   X   .   .   .
                y/c .   .   .   X   X   .   .   .   .
                z/a .   .   .   .   .   .   .   .   .
                z/b .   .   .   X   X   X   .   .   .
                z/c .   .   .   X   X   X   .   .   .
                """),
        Case(
            name: "automatic kubernetes.io/metadata.name namespace label",
            policies: ingressToXA(
                "allow-z-by-name",
                from: "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b X   .   .   .   .   .   .   .   .
                y/c X   .   .   .   .   .   .   .   .
                z/a .   .   .   .   .   .   .   .   .
                z/b .   .   .   .   .   .   .   .   .
                z/c .   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "egress ipBlock with except (matches pod IPs)",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: egress-cidr, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - to:
                    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}
                """,
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   X   X   X   .   .   .
                x/b .   .   .   .   .   .   .   .   .
                x/c .   .   .   .   .   .   .   .   .
                y/a .   .   .   .   .   .   .   .   .
                y/b .   .   .   .   .   .   .   .   .
                y/c .   .   .   .   .   .   .   .   .
                z/a .   .   .   .   .   .   .   .   .
                z/b .   .   .   .   .   .   .   .   .
                z/c .   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "ingress ipBlock (matches pod IPs)",
            policies: ingressToXA("from-z-cidr", from: "    - ipBlock: {cidr: 10.0.3.0/24}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b X   .   .   .   .   .   .   .   .
                y/c X   .   .   .   .   .   .   .   .
                z/a .   .   .   .   .   .   .   .   .
                z/b .   .   .   .   .   .   .   .   .
                z/c .   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "named port, other port", policies: namedPort81, port: 80, expected: xaIsolated),
        Case(
            name: "named port, the named one", policies: namedPort81, port: 81, expected: allAllowed),
        Case(
            name: "named port, the named number on another protocol", policies: namedPort81, port: 81, proto: .udp,
            expected: xaIsolated),
        Case(name: "endPort range, first port", policies: endPortRange, port: 80, expected: xaFromXbOnly),
        Case(name: "endPort range, last port", policies: endPortRange, port: 81, expected: xaFromXbOnly),
        Case(
            name: "union of policies",
            policies: denyIngressX + "\n---\n" + ingressToXA("allow-b", from: "    - podSelector: {matchLabels: {pod: b}}")
                + "\n---\n" + ingressToXA("allow-z", from: "    - namespaceSelector: {matchLabels: {ns: z}}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   X   X   .   .   .   .   .   .
                x/b .   .   X   .   .   .   .   .   .
                x/c X   X   .   .   .   .   .   .   .
                y/a X   X   X   .   .   .   .   .   .
                y/b X   X   X   .   .   .   .   .   .
                y/c X   X   X   .   .   .   .   .   .
                z/a .   X   X   .   .   .   .   .   .
                z/b .   X   X   .   .   .   .   .   .
                z/c .   X   X   .   .   .   .   .   .
                """),
        Case(
            name: "egress rules without policyTypes also isolate ingress (no ingress rules: deny)",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: egress-to-b, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  egress:
                  - to:
                    - podSelector: {matchLabels: {pod: b}}
                """,
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   X   X   X   X   X   X   X
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b X   .   .   .   .   .   .   .   .
                y/c X   .   .   .   .   .   .   .   .
                z/a X   .   .   .   .   .   .   .   .
                z/b X   .   .   .   .   .   .   .   .
                z/c X   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "an empty egress list without policyTypes leaves egress open",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: only-b, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  egress: []
                  ingress:
                  - from:
                    - podSelector: {matchLabels: {pod: b}}
                """,
            expected: xaFromXbOnly),
        Case(
            name: "ingress [{}] admits everything, egress stays denied",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: x}
                spec:
                  podSelector: {}
                  policyTypes: [Ingress, Egress]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow-all-ingress, namespace: x}
                spec:
                  podSelector: {}
                  ingress: [{}]
                """,
            expected: xEgressDenied),
        Case(
            name: "ingress [] admits nothing",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: empty-ingress, namespace: x}
                spec:
                  podSelector: {}
                  policyTypes: [Ingress]
                  ingress: []
                """,
            expected: xIngressDenied),
        Case(
            name: "empty podSelector peer: every pod of the policy's namespace",
            policies: ingressToXA("same-namespace", from: "    - podSelector: {}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   .   .   .   .   .   .   .   .
                x/b .   .   .   .   .   .   .   .   .
                x/c .   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b X   .   .   .   .   .   .   .   .
                y/c X   .   .   .   .   .   .   .   .
                z/a X   .   .   .   .   .   .   .   .
                z/b X   .   .   .   .   .   .   .   .
                z/c X   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "empty namespaceSelector peer: every pod of every namespace",
            policies: denyIngressX + "\n---\n" + ingressToXA("all-namespaces", from: "    - namespaceSelector: {}"),
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   X   X   .   .   .   .   .   .
                x/b .   .   X   .   .   .   .   .   .
                x/c .   X   .   .   .   .   .   .   .
                y/a .   X   X   .   .   .   .   .   .
                y/b .   X   X   .   .   .   .   .   .
                y/c .   X   X   .   .   .   .   .   .
                z/a .   X   X   .   .   .   .   .   .
                z/b .   X   X   .   .   .   .   .   .
                z/c .   X   X   .   .   .   .   .   .
                """),
        Case(name: "UDP-only rule, TCP query", policies: udpOnly, proto: .tcp, expected: xaIsolated),
        Case(name: "UDP-only rule, UDP query", policies: udpOnly, proto: .udp, expected: allAllowed),
        Case(name: "UDP-only rule, SCTP query", policies: udpOnly, proto: .sctp, expected: xaIsolated),
        Case(
            name: "SCTP rule without port admits every SCTP port", policies: sctpAnyPort, port: 81, proto: .sctp,
            expected: allAllowed),
        Case(name: "SCTP rule without port still isolates TCP", policies: sctpAnyPort, port: 81, proto: .tcp, expected: xaIsolated),
        Case(
            name: "client egress deny beats server ingress allow",
            policies: denyEgressX + """

                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow-all-ingress, namespace: y}
                spec:
                  podSelector: {}
                  ingress: [{}]
                """,
            expected: xEgressDenied),
        Case(
            name: "egress allow-all takes precedence over egress deny",
            policies: denyEgressX + """

                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow-all-egress, namespace: x}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress: [{}]
                """,
            expected: allAllowed),
        Case(
            name: "ingress and egress controlled independently",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: in-from-z-out-to-y, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Ingress, Egress]
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {ns: z}}
                  egress:
                  - to:
                    - namespaceSelector: {matchLabels: {ns: y}}
                """,
            expected: """
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a .   X   X   .   .   .   X   X   X
                x/b X   .   .   .   .   .   .   .   .
                x/c X   .   .   .   .   .   .   .   .
                y/a X   .   .   .   .   .   .   .   .
                y/b X   .   .   .   .   .   .   .   .
                y/c X   .   .   .   .   .   .   .   .
                z/a .   .   .   .   .   .   .   .   .
                z/b .   .   .   .   .   .   .   .   .
                z/c .   .   .   .   .   .   .   .   .
                """),
        Case(
            name: "egress to a named port resolves on the destination pod",
            policies: """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: egress-named, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - ports:
                    - port: serve-81-tcp
                """,
            port: 81,
            expected: allAllowed),
    ]

    static let namedPort81 = ingressToXA("named-81", from: "    - namespaceSelector: {}", ports: "    ports: [{port: serve-81-tcp}]")
    static let endPortRange = ingressToXA(
        "range-80-81", from: "    - podSelector: {matchLabels: {pod: b}}", ports: "    ports: [{protocol: TCP, port: 80, endPort: 81}]")
    static let udpOnly = ingressToXA("udp-only", from: "    - namespaceSelector: {}", ports: "    ports: [{protocol: UDP, port: 80}]")
    static let sctpAnyPort = ingressToXA("sctp-any", from: "    - namespaceSelector: {}", ports: "    ports: [{protocol: SCTP}]")

    @Test(arguments: cases)
    func matrix(_ testCase: Case) {
        let engine = Fixtures.e2e(testCase.policies)
        let matrix = engine.matrix(port: testCase.port, protocol: testCase.proto)
        #expect(matrix.description == testCase.expected)
    }

    @Test(arguments: [80, 81], PolicyProtocol.allCases)
    func everyMatrixCellAgreesWithTheVerdict(port: Int, proto: PolicyProtocol) throws {
        let policies = [Self.denyIngressX, Self.namedPort81, Self.udpOnly, Self.endPortRange].joined(separator: "\n---\n")
        let engine = Fixtures.e2e(policies)
        let matrix = engine.matrix(port: port, protocol: proto)
        for (row, from) in matrix.pods.enumerated() {
            for (column, to) in matrix.pods.enumerated() {
                let verdict = try Fixtures.verdict(engine, from, to, port, proto)
                #expect(matrix.allowed[row][column] == verdict.allowed, "\(from) -> \(to)")
            }
        }
    }

    @Test func endPortBounds() throws {
        let engine = Fixtures.e2e(Self.endPortRange)
        #expect(try Fixtures.verdict(engine, "x/b", "x/a", 79).allowed == false)
        #expect(try Fixtures.verdict(engine, "x/b", "x/a", 82).allowed == false)
        #expect(try Fixtures.verdict(engine, "x/b", "x/a", 81, .udp).allowed == false)
    }

    @Test func namedPortOfAnotherProtocolNeverMatches() throws {
        // `protocol: UDP` with the name of a TCP container port: the name resolves to no UDP port.
        let engine = Fixtures.e2e(
            Self.ingressToXA("mismatch", from: "    - namespaceSelector: {}", ports: "    ports: [{protocol: UDP, port: serve-81-tcp}]"))
        for proto in PolicyProtocol.allCases {
            #expect(try Fixtures.verdict(engine, "y/a", "x/a", 81, proto).allowed == false)
        }
        let udp = Fixtures.e2e(
            Self.ingressToXA("udp-named", from: "    - namespaceSelector: {}", ports: "    ports: [{protocol: UDP, port: serve-81-udp}]"))
        #expect(try Fixtures.verdict(udp, "y/a", "x/a", 81, .udp).allowed)
        #expect(try Fixtures.verdict(udp, "y/a", "x/a", 81, .tcp).allowed == false)
    }

    @Test func missingAndEmptyFromBothAdmitEverySource() throws {
        let missing = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: port-80, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              ingress:
              - ports: [{port: 80}]
            """
        let empty = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: port-80, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              ingress:
              - from: []
                ports: [{port: 80}]
            """
        for yaml in [missing, empty] {
            let engine = Fixtures.e2e(yaml)
            #expect(engine.matrix(port: 80).description == Self.allAllowed)
            #expect(engine.matrix(port: 81).description == Self.xaIsolated)
            let verdict = try engine.verdict(from: .ip(try #require(IPAddress("203.0.113.9"))), to: Fixtures.endpoint("x/a"), port: 80)
            #expect(verdict.allowed)
            #expect(verdict.ingress?.admittedBy == RuleMatch(policy: "port-80", direction: .ingress, rule: 0, peer: nil, port: 0))
        }
    }
}
