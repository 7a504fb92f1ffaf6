import KubeModel
import Testing

/// ``NetworkPolicyValidation`` and ``LabelValidation``: each API-server rule, valid and invalid, with its field path.
struct NetworkPolicyValidationTests {
    /// A policy `x/p` with the given `spec` body (YAML, indented two spaces under `spec:`).
    static func errors(_ spec: String) -> [String] {
        let yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: x}
            spec:
            \(spec)
            """
        let objects = Fixtures.decode(yaml)
        guard case .networkPolicy(let policy)? = objects.first else {
            Issue.record("not a NetworkPolicy: \(objects)")
            return []
        }
        return NetworkPolicyValidation.validate(policy).map(\.description)
    }

    static let namePartMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
        + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
        + "end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    static let cidrMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"

    /// A spec and the errors it must produce (empty: valid).
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var spec: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Valid.
        Case(
            name: "every peer kind, ports of every form",
            spec: """
                  podSelector: {matchLabels: {app.kubernetes.io/name: web}}
                  policyTypes: [Ingress, Egress]
                  ingress:
                  - from:
                    - podSelector: {}
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
                      podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
                    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.4/32]}
                    ports:
                    - {port: 80}
                    - {protocol: UDP, port: 53, endPort: 53}
                    - {protocol: SCTP, port: serve-80-sctp}
                    - {protocol: TCP}
                  egress:
                  - to:
                    - ipBlock: {cidr: "fd00::/64", except: ["fd00::/80"]}
                    - namespaceSelector:
                        matchExpressions:
                        - {key: ns, operator: NotIn, values: [x]}
                        - {key: team, operator: Exists}
                        - {key: legacy, operator: DoesNotExist}
                  - {}
                """,
            expected: []),
        Case(name: "empty spec", spec: "  podSelector: {}", expected: []),
        Case(name: "empty rules", spec: "  podSelector: {}\n  ingress: [{}]\n  egress: []", expected: []),

        // Peers.
        Case(
            name: "peer with no selector",
            spec: "  podSelector: {}\n  ingress:\n  - from: [{}]",
            expected: ["spec.ingress[0].from[0]: Required value: must specify a peer"]),
        Case(
            name: "ipBlock with podSelector",
            spec:
                "  podSelector: {}\n  egress:\n  - {}\n  - to:\n    - podSelector: {}\n    - {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}",
            expected: ["spec.egress[1].to[1]: Forbidden: may not specify both ipBlock and another peer"]),
        Case(
            name: "ipBlock with both selectors",
            spec: "  podSelector: {}\n  ingress:\n  - from:\n    - {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}, namespaceSelector: {}}",
            expected: ["spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"]),

        // IP blocks.
        Case(
            name: "ipBlock without cidr", spec: "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {except: [10.0.0.0/24]}",
            expected: ["spec.ingress[0].from[0].ipBlock.cidr: Required value"]),
        Case(
            name: "prefix too long", spec: "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}",
            expected: ["spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": \(cidrMessage)"]),
        Case(
            name: "address without prefix", spec: "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.1}",
            expected: ["spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.1\": \(cidrMessage)"]),
        Case(
            name: "except outside, equal, other family, malformed",
            spec: """
                  podSelector: {}
                  egress:
                  - to:
                    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24, 10.1.0.0/24, 10.0.0.0/16, "fd00::/64", 10.0.0.0/40]}
                """,
            expected: [
                "spec.egress[0].to[0].ipBlock.except[1]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`",
                "spec.egress[0].to[0].ipBlock.except[2]: Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`",
                "spec.egress[0].to[0].ipBlock.except[3]: Invalid value: \"fd00::/64\": must be a strict subset of `cidr`",
                "spec.egress[0].to[0].ipBlock.except[4]: Invalid value: \"10.0.0.0/40\": \(cidrMessage)",
            ]),

        // Ports.
        Case(
            name: "endPort without port", spec: "  podSelector: {}\n  ingress:\n  - ports: [{endPort: 32768}]",
            expected: ["spec.ingress[0].ports[0].endPort: Invalid value: \"32768\": may not be specified when `port` is not specified"]),
        Case(
            name: "endPort with a named port", spec: "  podSelector: {}\n  ingress:\n  - ports: [{port: http, endPort: 32768}]",
            expected: ["spec.ingress[0].ports[0].endPort: Invalid value: \"32768\": may not be specified when `port` is non-numeric"]),
        Case(
            // The API server reports the value of `port` here.
            name: "endPort below port", spec: "  podSelector: {}\n  egress:\n  - ports: [{port: 443}, {port: 32000, endPort: 31000}]",
            expected: ["spec.egress[0].ports[1].endPort: Invalid value: \"32000\": must be greater than or equal to `port`"]),
        Case(
            name: "endPort out of range", spec: "  podSelector: {}\n  ingress:\n  - ports: [{port: 80, endPort: 70000}]",
            expected: ["spec.ingress[0].ports[0].endPort: Invalid value: \"70000\": must be between 1 and 65535, inclusive"]),
        Case(
            name: "port numbers out of range", spec: "  podSelector: {}\n  ingress:\n  - ports: [{port: 0}, {port: 65536}]",
            expected: [
                "spec.ingress[0].ports[0].port: Invalid value: \"0\": must be between 1 and 65535, inclusive",
                "spec.ingress[0].ports[1].port: Invalid value: \"65536\": must be between 1 and 65535, inclusive",
            ]),
        Case(
            name: "named port not an IANA service name",
            spec: "  podSelector: {}\n  ingress:\n  - ports: [{port: web_port}, {port: a-very-long-name}]",
            expected: [
                "spec.ingress[0].ports[0].port: Invalid value: \"web_port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "spec.ingress[0].ports[1].port: Invalid value: \"a-very-long-name\": must be no more than 15 characters",
            ]),
        Case(
            name: "protocols are TCP, UDP, SCTP (case-sensitive)",
            spec: "  podSelector: {}\n  ingress:\n  - ports: [{protocol: ICMP}, {protocol: tcp, port: 80}]",
            expected: [
                "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
                "spec.ingress[0].ports[1].protocol: Unsupported value: \"tcp\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
            ]),

        // policyTypes.
        Case(
            name: "policyTypes value", spec: "  podSelector: {}\n  policyTypes: [Ingress, egress]",
            expected: ["spec.policyTypes[1]: Unsupported value: \"egress\": supported values: \"Ingress\", \"Egress\""]),
        Case(
            name: "more than two policyTypes", spec: "  podSelector: {}\n  policyTypes: [Ingress, Egress, Ingress]",
            expected: ["spec.policyTypes: Invalid value: \"Ingress, Egress, Ingress\": may not specify more than two policyTypes"]),

        // Label selectors.
        Case(
            name: "selector operator",
            spec: "  podSelector: {matchExpressions: [{key: app, operator: Equals, values: [a]}]}",
            expected: ["spec.podSelector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator"]),
        Case(
            name: "In and NotIn need values",
            spec: "  podSelector: {matchExpressions: [{key: app, operator: In}, {key: app, operator: NotIn, values: []}]}",
            expected: [
                "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.podSelector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            ]),
        Case(
            name: "Exists and DoesNotExist forbid values",
            spec: """
                  podSelector: {}
                  ingress:
                  - from:
                    - namespaceSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}, {key: b, operator: DoesNotExist, values: [y]}]}
                """,
            expected: [
                "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.ingress[0].from[0].namespaceSelector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ]),
        Case(
            name: "label keys and values",
            spec: """
                  podSelector: {matchLabels: {-bad: ok, good: "not ok"}}
                  egress:
                  - to:
                    - podSelector: {matchExpressions: [{key: app, operator: In, values: [fine, "-nope"]}]}
                """,
            expected: [
                "spec.podSelector.matchLabels: Invalid value: \"-bad\": name part \(namePartMessage)",
                "spec.podSelector.matchLabels: Invalid value: \"not ok\": \(labelValueMessage)",
                "spec.egress[0].to[0].podSelector.matchExpressions[0].values[1]: Invalid value: \"-nope\": \(labelValueMessage)",
            ]),

        // Order: metadata, pod selector, ports then peers of each rule, then policyTypes.
        Case(
            name: "several errors in the API server's order",
            spec: """
                  podSelector: {matchExpressions: [{key: app, operator: Exists, values: [x]}]}
                  policyTypes: [Sideways]
                  ingress:
                  - from: [{}]
                    ports: [{port: 0}]
                """,
            expected: [
                "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.ingress[0].ports[0].port: Invalid value: \"0\": must be between 1 and 65535, inclusive",
                "spec.ingress[0].from[0]: Required value: must specify a peer",
                "spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"",
            ]),
    ]

    @Test(arguments: cases)
    func spec(_ testCase: Case) {
        #expect(Self.errors(testCase.spec) == testCase.expected)
    }

    @Test func metadataIsValidatedToo() {
        let policy = NetworkPolicy(metadata: ObjectMeta(namespace: "Bad_NS"), spec: NetworkPolicySpec(podSelector: LabelSelector()))
        let errors = NetworkPolicyValidation.validate(policy).map(\.field)
        #expect(errors == ["metadata.name", "metadata.namespace"])
        #expect(KubeObject.networkPolicy(policy).validate().count == 2)
    }

    @Test(arguments: [
        ("app", [String]()),
        ("app.kubernetes.io/name", []),
        ("kubernetes.io/metadata.name", []),
        ("A_b.c-9", []),
        ("-bad", ["name part \(namePartMessage)"]),
        ("example.com/", ["name part must be non-empty", "name part \(namePartMessage)"]),
        ("/name", ["prefix part must be non-empty"]),
        (String(repeating: "n", count: 64), ["name part must be no more than 63 characters"]),
        (
            "a/b/c",
            [
                "a qualified name \(namePartMessage) with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        ),
    ])
    func qualifiedName(_ key: String, _ expected: [String]) {
        #expect(LabelValidation.qualifiedName(key) == expected)
    }

    @Test func qualifiedNamePrefixMustBeALowercaseSubdomain() {
        let problems = LabelValidation.qualifiedName("Example.com/app")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("prefix part a lowercase RFC 1123 subdomain") == true)
    }

    @Test(arguments: [
        ("", [String]()),
        ("v1.2_x-Y", []),
        ("-x", [labelValueMessage]),
        ("x.", [labelValueMessage]),
        (String(repeating: "v", count: 64), ["must be no more than 63 characters"]),
    ])
    func labelValue(_ value: String, _ expected: [String]) {
        #expect(LabelValidation.labelValue(value) == expected)
    }
}
