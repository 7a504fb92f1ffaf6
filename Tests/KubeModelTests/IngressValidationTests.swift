import KubeModel
import Testing

/// One expected validation error: the exact field path, the message kind (the API server's prefix) and a part of
/// the detail.
struct ExpectedError: Sendable, CustomStringConvertible {
    /// The API server's message kinds.
    enum Kind: String, Sendable {
        case invalid = "Invalid value"
        case required = "Required value"
        case unsupported = "Unsupported value"
        case duplicate = "Duplicate value"
        case forbidden = "Forbidden"
    }

    var field: String
    var kind: Kind
    var detail: String

    init(_ field: String, _ kind: Kind, _ detail: String = "") {
        self.field = field
        self.kind = kind
        self.detail = detail
    }

    /// Whether `error` is this one.
    func matches(_ error: FieldError) -> Bool {
        error.field == field && error.message.hasPrefix(kind.rawValue) && (detail.isEmpty || error.message.contains(detail))
    }

    var description: String { "\(field): \(kind.rawValue) …\(detail)…" }
}

/// Checks that `errors` are exactly `expected` (same count, each expected error matched once, in any order).
func expectErrors(_ errors: [FieldError], _ expected: [ExpectedError], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(errors.count == expected.count, "got \(errors), expected \(expected)", sourceLocation: sourceLocation)
    var remaining = errors
    for item in expected {
        if let index = remaining.firstIndex(where: item.matches) {
            remaining.remove(at: index)
        } else {
            Issue.record("missing \(item) in \(errors)", sourceLocation: sourceLocation)
        }
    }
}

/// A named change to a valid object, for `@Test(arguments:)` tables.
struct Mutation<Object>: Sendable, CustomTestStringConvertible {
    var name: String
    var apply: @Sendable (inout Object) -> Void
    var expected: [ExpectedError]

    init(_ name: String, _ expected: [ExpectedError] = [], _ apply: @escaping @Sendable (inout Object) -> Void) {
        self.name = name
        self.apply = apply
        self.expected = expected
    }

    var testDescription: String { name }
}

/// The API server's Ingress validation, rule by rule: each invalid form with its exact field path, and the valid
/// forms next to it.
struct IngressValidationTests {
    /// A valid Ingress: one rule for example.com with Prefix / to Service web port 80, and one TLS entry.
    static func validIngress() -> Ingress {
        Ingress(
            metadata: ObjectMeta(name: "web", namespace: "shop"),
            spec: IngressSpec(
                ingressClassName: "gatehouse",
                tls: [IngressTLS(hosts: ["example.com"], secretName: "example-tls")],
                rules: [
                    IngressRule(
                        host: "example.com",
                        http: HTTPIngressRuleValue(paths: [
                            HTTPIngressPath(path: "/", pathType: "Prefix", backend: serviceBackend("web", number: 80))
                        ])
                    )
                ]
            )
        )
    }

    static func serviceBackend(_ name: String, number: Int? = nil, portName: String? = nil) -> IngressBackend {
        IngressBackend(service: IngressServiceBackend(name: name, port: ServiceBackendPort(name: portName, number: number)))
    }

    static let host = "spec.rules[0].host"
    static let path0 = "spec.rules[0].http.paths[0]"

    /// Sets the first rule's host.
    static func host(_ value: String?) -> @Sendable (inout Ingress) -> Void {
        { $0.spec?.rules?[0].host = value }
    }

    /// Sets the first path's path and type.
    static func path(_ value: String?, _ type: String? = "Prefix") -> @Sendable (inout Ingress) -> Void {
        {
            $0.spec?.rules?[0].http?.paths?[0].path = value
            $0.spec?.rules?[0].http?.paths?[0].pathType = type
        }
    }

    /// Sets the first path's backend.
    static func backend(_ value: IngressBackend?) -> @Sendable (inout Ingress) -> Void {
        { $0.spec?.rules?[0].http?.paths?[0].backend = value }
    }

    static let subdomain = "a lowercase RFC 1123 subdomain"
    static let wildcard = "a wildcard DNS-1123 subdomain must start with '*.'"
    static let dns1035 = "a DNS-1035 label"

    static let invalidCases: [Mutation<Ingress>] = [
        // hosts
        Mutation("IPv4 host", [ExpectedError(host, .invalid, "must be a DNS name, not an IP address")], host("10.1.2.3")),
        Mutation(
            "IPv6 host",
            [ExpectedError(host, .invalid, "must be a DNS name, not an IP address"), ExpectedError(host, .invalid, subdomain)],
            host("fd00::1")),
        Mutation("wildcard not first", [ExpectedError(host, .invalid, wildcard)], host("foo.*.example.com")),
        Mutation("wildcard inside a label", [ExpectedError(host, .invalid, wildcard)], host("*foo.example.com")),
        Mutation("wildcard alone", [ExpectedError(host, .invalid, wildcard)], host("*")),
        Mutation("two wildcards", [ExpectedError(host, .invalid, wildcard)], host("*.*.example.com")),
        Mutation("uppercase host", [ExpectedError(host, .invalid, subdomain)], host("Example.com")),
        Mutation("uppercase wildcard host", [ExpectedError(host, .invalid, wildcard)], host("*.Example.com")),
        Mutation("host with port", [ExpectedError(host, .invalid, subdomain)], host("example.com:8080")),
        Mutation("host with empty label", [ExpectedError(host, .invalid, subdomain)], host("example..com")),
        Mutation("host ending with a dot", [ExpectedError(host, .invalid, subdomain)], host("example.com.")),
        Mutation(
            "host longer than 253", [ExpectedError(host, .invalid, "must be no more than 253 characters")],
            host(Array(repeating: String(repeating: "a", count: 50), count: 6).joined(separator: "."))),
        // paths
        Mutation("relative Prefix path", [ExpectedError(path0 + ".path", .invalid, "must be an absolute path")], path("foo")),
        Mutation("relative Exact path", [ExpectedError(path0 + ".path", .invalid, "must be an absolute path")], path("foo", "Exact")),
        Mutation("empty Exact path", [ExpectedError(path0 + ".path", .invalid, "must be an absolute path")], path("", "Exact")),
        Mutation("missing Prefix path", [ExpectedError(path0 + ".path", .invalid, "must be an absolute path")], path(nil)),
        Mutation("double slash", [ExpectedError(path0 + ".path", .invalid, "must not contain '//'")], path("/a//b")),
        Mutation("dot segment", [ExpectedError(path0 + ".path", .invalid, "must not contain '/./'")], path("/a/./b", "Exact")),
        Mutation("dot-dot segment", [ExpectedError(path0 + ".path", .invalid, "must not contain '/../'")], path("/a/../b")),
        Mutation("encoded slash", [ExpectedError(path0 + ".path", .invalid, "must not contain '%2f'")], path("/a%2fb")),
        Mutation("encoded slash uppercase", [ExpectedError(path0 + ".path", .invalid, "must not contain '%2F'")], path("/a%2Fb")),
        Mutation("trailing dot-dot", [ExpectedError(path0 + ".path", .invalid, "cannot end with '/..'")], path("/a/..")),
        Mutation("trailing dot", [ExpectedError(path0 + ".path", .invalid, "cannot end with '/.'")], path("/a/.", "Exact")),
        Mutation(
            "several path problems",
            [
                ExpectedError(path0 + ".path", .invalid, "must not contain '//'"),
                ExpectedError(path0 + ".path", .invalid, "cannot end with '/..'"),
            ],
            path("/a//b/..")),
        Mutation(
            "relative ImplementationSpecific path", [ExpectedError(path0 + ".path", .invalid, "must be an absolute path")],
            path("foo", "ImplementationSpecific")),
        // pathType
        Mutation(
            "missing pathType", [ExpectedError(path0 + ".pathType", .required, "pathType must be specified")],
            path("/", nil)),
        Mutation(
            "missing pathType hides the path and backend problems",
            [ExpectedError(path0 + ".pathType", .required, "pathType must be specified")],
            {
                path("relative", nil)(&$0)
                backend(nil)(&$0)
            }),
        Mutation(
            "unsupported pathType",
            [ExpectedError(path0 + ".pathType", .unsupported, #""Regex": supported values: "Exact", "ImplementationSpecific", "Prefix""#)],
            path("/", "Regex")),
        Mutation(
            "lowercase pathType", [ExpectedError(path0 + ".pathType", .unsupported, #""prefix""#)], path("/", "prefix")),
        // backends
        Mutation(
            "service and resource",
            [ExpectedError(path0 + ".backend", .invalid, "cannot set both resource and service backends")],
            backend(
                IngressBackend(
                    service: IngressServiceBackend(name: "web", port: ServiceBackendPort(number: 80)),
                    resource: TypedLocalObjectReference(kind: "Bucket", name: "b")))),
        Mutation(
            "neither service nor resource",
            [ExpectedError(path0 + ".backend", .invalid, "resource or service backend is required")], backend(IngressBackend())),
        Mutation(
            "missing backend", [ExpectedError(path0 + ".backend", .invalid, "resource or service backend is required")],
            backend(nil)),
        Mutation(
            "resource without kind and name",
            [ExpectedError(path0 + ".backend.resource.kind", .required), ExpectedError(path0 + ".backend.resource.name", .required)],
            backend(IngressBackend(resource: TypedLocalObjectReference(apiGroup: "k8s.example.com")))),
        Mutation(
            "port name and number",
            [ExpectedError(path0 + ".backend", .invalid, "cannot set both port name & port number")],
            backend(serviceBackend("web", number: 80, portName: "http"))),
        Mutation(
            "neither port name nor number",
            [ExpectedError(path0 + ".backend", .required, "port name or number is required")], backend(serviceBackend("web"))),
        Mutation(
            "port number zero counts as unset",
            [ExpectedError(path0 + ".backend", .required, "port name or number is required")],
            backend(serviceBackend("web", number: 0))),
        Mutation(
            "port number above range",
            [ExpectedError(path0 + ".backend.service.port.number", .invalid, "must be between 1 and 65535, inclusive")],
            backend(serviceBackend("web", number: 65536))),
        Mutation(
            "negative port number",
            [ExpectedError(path0 + ".backend.service.port.number", .invalid, "must be between 1 and 65535, inclusive")],
            backend(serviceBackend("web", number: -1))),
        Mutation(
            "uppercase port name",
            [ExpectedError(path0 + ".backend.service.port.name", .invalid, "must contain only alpha-numeric characters")],
            backend(serviceBackend("web", portName: "Http"))),
        Mutation(
            "underscore in port name",
            [ExpectedError(path0 + ".backend.service.port.name", .invalid, "must contain only alpha-numeric characters")],
            backend(serviceBackend("web", portName: "http_alt"))),
        Mutation(
            "port name beginning with a hyphen",
            [ExpectedError(path0 + ".backend.service.port.name", .invalid, "must not begin or end with a hyphen")],
            backend(serviceBackend("web", portName: "-http"))),
        Mutation(
            "port name with consecutive hyphens",
            [ExpectedError(path0 + ".backend.service.port.name", .invalid, "must not contain consecutive hyphens")],
            backend(serviceBackend("web", portName: "h--p"))),
        Mutation(
            "port name without a letter",
            [ExpectedError(path0 + ".backend.service.port.name", .invalid, "must contain at least one letter (a-z)")],
            backend(serviceBackend("web", portName: "8080"))),
        Mutation(
            "port name longer than 15",
            [ExpectedError(path0 + ".backend.service.port.name", .invalid, "must be no more than 15 characters")],
            backend(serviceBackend("web", portName: "abcdefghijklmnop"))),
        Mutation(
            "missing service name", [ExpectedError(path0 + ".backend.service.name", .required)],
            backend(serviceBackend("", number: 80))),
        Mutation(
            "service name starting with a digit", [ExpectedError(path0 + ".backend.service.name", .invalid, dns1035)],
            backend(serviceBackend("1web", number: 80))),
        Mutation(
            "uppercase service name", [ExpectedError(path0 + ".backend.service.name", .invalid, dns1035)],
            backend(serviceBackend("Web", number: 80))),
        Mutation(
            "service name with a dot", [ExpectedError(path0 + ".backend.service.name", .invalid, dns1035)],
            backend(serviceBackend("web.shop", number: 80))),
        Mutation(
            "service name longer than 63",
            [ExpectedError(path0 + ".backend.service.name", .invalid, "must be no more than 63 characters")],
            backend(serviceBackend(String(repeating: "a", count: 64), number: 80))),
        Mutation(
            "invalid default backend",
            [ExpectedError("spec.defaultBackend.service.port.number", .invalid, "must be between 1 and 65535")],
            { $0.spec?.defaultBackend = serviceBackend("web", number: 99999) }),
        // rules and spec
        Mutation(
            "http without paths", [ExpectedError("spec.rules[0].http.paths", .required)],
            { $0.spec?.rules?[0].http?.paths = [] }),
        Mutation(
            "neither rules nor default backend",
            [ExpectedError("spec", .invalid, "either `defaultBackend` or `rules` must be specified")], { $0.spec?.rules = [] }),
        Mutation(
            "no spec at all", [ExpectedError("spec", .invalid, "either `defaultBackend` or `rules` must be specified")],
            { $0.spec = nil }),
        Mutation(
            "problems in the second path",
            [ExpectedError("spec.rules[0].http.paths[1].path", .invalid, "must be an absolute path")],
            {
                $0.spec?.rules?[0].http?.paths?.append(
                    HTTPIngressPath(path: "api", pathType: "Exact", backend: serviceBackend("api", number: 80)))
            }),
        // TLS
        Mutation(
            "uppercase TLS host", [ExpectedError("spec.tls[0].hosts[0]", .invalid, subdomain)],
            { $0.spec?.tls?[0].hosts = ["Example.com"] }),
        Mutation(
            "TLS wildcard not first", [ExpectedError("spec.tls[0].hosts[1]", .invalid, wildcard)],
            { $0.spec?.tls?[0].hosts = ["example.com", "www.*.example.com"] }),
        Mutation(
            "invalid TLS secret name", [ExpectedError("spec.tls[0].secretName", .invalid, subdomain)],
            { $0.spec?.tls?[0].secretName = "Example_TLS" }),
        // class
        Mutation(
            "invalid ingressClassName", [ExpectedError("spec.ingressClassName", .invalid, subdomain)],
            { $0.spec?.ingressClassName = "Gate_House" }),
        Mutation(
            "class annotation differing from the class field",
            [
                ExpectedError(
                    "metadata.annotations[kubernetes.io/ingress.class]", .invalid,
                    #""nginx": must match `ingressClassName` when both are specified"#)
            ],
            { $0.metadata.annotations = ["kubernetes.io/ingress.class": "nginx"] }),
        // metadata
        Mutation(
            "missing name", [ExpectedError("metadata.name", .required, "name or generateName is required")],
            { $0.metadata.name = nil }),
        Mutation("invalid name", [ExpectedError("metadata.name", .invalid, subdomain)], { $0.metadata.name = "Web_Ingress" }),
        Mutation(
            "invalid namespace", [ExpectedError("metadata.namespace", .invalid, "a lowercase RFC 1123 label")],
            { $0.metadata.namespace = "shop.example" }),
    ]

    @Test("invalid Ingress", arguments: invalidCases)
    func invalid(_ mutation: Mutation<Ingress>) {
        var ingress = Self.validIngress()
        mutation.apply(&ingress)
        expectErrors(ObjectValidation.ingress(ingress), mutation.expected)
    }

    static let validCases: [Mutation<Ingress>] = [
        Mutation("the base Ingress") { _ in },
        Mutation("wildcard host", [], host("*.example.com")),
        Mutation("no host", [], host(nil)),
        Mutation("empty host", [], host("")),
        Mutation("host of digits and hyphens", [], host("1-2.example.com")),
        Mutation(
            "host of 253 characters", [],
            host(String(Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".").dropLast(2)))),
        Mutation("rule without http", [], { $0.spec?.rules?.append(IngressRule(host: "bare.example.com")) }),
        Mutation("Exact path with a trailing slash", [], path("/foo/", "Exact")),
        Mutation("dots that are not segments", [], path("/a.b/..c/d../...")),
        Mutation("percent escapes other than %2F", [], path("/a%20b")),
        Mutation("empty ImplementationSpecific path", [], path("", "ImplementationSpecific")),
        Mutation("missing ImplementationSpecific path", [], path(nil, "ImplementationSpecific")),
        Mutation("regex ImplementationSpecific path", [], path("/foo/(.*)//[a-z]+", "ImplementationSpecific")),
        Mutation("port by name", [], backend(serviceBackend("web", portName: "http-alt2"))),
        Mutation("port 1", [], backend(serviceBackend("web", number: 1))),
        Mutation("port 65535", [], backend(serviceBackend("web", number: 65535))),
        Mutation("port name of 15 characters", [], backend(serviceBackend("web", portName: "abcdefghijklmno"))),
        Mutation("service name of 63 characters", [], backend(serviceBackend(String(repeating: "a", count: 63), number: 80))),
        Mutation(
            "resource backend", [],
            backend(IngressBackend(resource: TypedLocalObjectReference(apiGroup: "k8s.example.com", kind: "Bucket", name: "b")))),
        Mutation("TLS IP host", [], { $0.spec?.tls?[0].hosts = ["10.0.0.1"] }),
        Mutation("TLS wildcard host and no secret", [], { $0.spec?.tls = [IngressTLS(hosts: ["*.example.com"])] }),
        Mutation("TLS entry without hosts", [], { $0.spec?.tls = [IngressTLS(secretName: "default-cert")] }),
        Mutation("no class", [], { $0.spec?.ingressClassName = nil }),
        Mutation(
            "legacy class annotation alone", [],
            {
                $0.spec?.ingressClassName = nil
                $0.metadata.annotations = ["kubernetes.io/ingress.class": "nginx"]
            }),
        Mutation(
            "class annotation equal to the class field", [],
            {
                $0.metadata.annotations = ["kubernetes.io/ingress.class": "gatehouse"]
            }),
        Mutation(
            "default backend only", [],
            {
                $0.spec?.rules = nil
                $0.spec?.defaultBackend = serviceBackend("web", number: 80)
            }),
        Mutation("no namespace", [], { $0.metadata.namespace = nil }),
    ]

    @Test("valid Ingress", arguments: validCases)
    func valid(_ mutation: Mutation<Ingress>) {
        var ingress = Self.validIngress()
        mutation.apply(&ingress)
        expectErrors(ObjectValidation.ingress(ingress), [])
    }

    @Test("an IngressClass needs a controller")
    func ingressClass() {
        let ours = IngressClass(metadata: ObjectMeta(name: "edge"), spec: IngressClassSpec(controller: "gatehouse.dev/ingress-controller"))
        expectErrors(ObjectValidation.ingressClass(ours), [])
        expectErrors(
            ObjectValidation.ingressClass(IngressClass(metadata: ObjectMeta(name: "edge"))), [ExpectedError("spec.controller", .required)])
        expectErrors(
            ObjectValidation.ingressClass(IngressClass(metadata: ObjectMeta(name: "Edge"), spec: IngressClassSpec(controller: "x.dev/c"))),
            [ExpectedError("metadata.name", .invalid, Self.subdomain)])
    }
}
