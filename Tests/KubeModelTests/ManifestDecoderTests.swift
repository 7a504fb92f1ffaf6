import KubeModel
import Testing

/// Manifest decoding: multi-document YAML and JSON, lists, empty documents, and every problem reported with the
/// object, field path or line instead of failing the file.
struct ManifestDecoderTests {
    static let service = """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{port: 80, targetPort: 8080}]
        """

    static let ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: shop}
        spec:
          rules:
          - host: example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
        """

    @Test("multi-document YAML decodes every document in order")
    func multiDocument() throws {
        let text = "---\n" + Self.service + "\n---\n" + Self.ingress + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
        let result = ManifestDecoder.decode(text, source: "all.yaml")
        #expect(result.issues.isEmpty)
        #expect(!result.syntaxError)
        #expect(result.objects.map(\.kind) == ["Service", "Ingress", "Namespace"])
        #expect(result.objects.map(\.ref.description) == ["default/web", "shop/web", "shop"])
        guard case .ingress(let ingress) = result.objects[1] else {
            Issue.record("expected an Ingress")
            return
        }
        let path = try #require(ingress.spec?.rules?.first?.http?.paths?.first)
        #expect(path.pathType == "Prefix")
        #expect(path.backend?.service?.port?.number == 80)
    }

    @Test("a JSON manifest decodes like YAML")
    func json() {
        let text = """
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
             "spec": {"ports": [{"name": "http", "port": 80, "targetPort": "http-web"}]}}
            """
        let result = ManifestDecoder.decode(text, source: "web.json")
        #expect(result.issues.isEmpty)
        guard case .service(let service) = result.objects.first else {
            Issue.record("expected a Service, got \(result.objects)")
            return
        }
        #expect(service.metadata.namespace == "shop")
        #expect(service.spec?.ports?.first?.targetPort == .string("http-web"))
    }

    @Test("kind: List (YAML or JSON, and typed lists) yields its items")
    func lists() {
        let yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: a}
            - apiVersion: v1
              kind: Service
              metadata: {name: b}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: c}
            """
        let result = ManifestDecoder.decode(yaml, source: "list.yaml")
        #expect(result.objects.map(\.ref.name) == ["a", "b"])
        #expect(result.ignoredKinds == ["ConfigMap"])
        let json = """
            {"apiVersion": "v1", "kind": "ServiceList", "items": [
              {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}},
              {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "x-1"}, "addressType": "IPv4"}]}
            """
        #expect(ManifestDecoder.decode(json, source: "list.json").objects.map(\.kind) == ["Service", "EndpointSlice"])
    }

    @Test(
        "empty documents and empty files are no objects and no problems",
        arguments: ["", "---\n", "---\n---\n", "# only a comment\n", "---\n# comment\n---\n", "\n\n   \n"])
    func empty(_ text: String) {
        let result = ManifestDecoder.decode(text, source: "empty.yaml")
        #expect(result.objects.isEmpty)
        #expect(result.issues.isEmpty)
        #expect(!result.syntaxError)
    }

    @Test("empty documents between objects are skipped")
    func emptyBetween() {
        let result = ManifestDecoder.decode("---\n---\n" + Self.service + "\n---\n---\n", source: "a.yaml")
        #expect(result.objects.map(\.kind) == ["Service"])
        #expect(result.issues.isEmpty)
    }

    @Test("a YAML syntax error names the file, the line and the column")
    func syntaxError() throws {
        let text = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: {app: web
            spec: {}
            """
        let result = ManifestDecoder.decode(text, source: "broken.yaml")
        #expect(result.syntaxError)
        let issue = try #require(result.issues.first)
        #expect(result.issues.count == 1)
        #expect(issue.object == ObjectRef(kind: "File", namespace: nil, name: "broken.yaml"))
        #expect(issue.message.hasPrefix("not valid YAML: line 6, column "), "\(issue.message)")
    }

    @Test("a syntax error in a later document marks the file broken")
    func syntaxErrorLater() throws {
        let text = Self.service + "\n---\nkind: [unclosed\n"
        let result = ManifestDecoder.decode(text, source: "later.yaml")
        #expect(result.syntaxError)
        let issue = try #require(result.issues.first)
        #expect(issue.message.contains("line 8"), "\(issue.message)")
    }

    @Test(
        "apiVersion must be the one Gatehouse reads for the kind",
        arguments: [
            (
                "Ingress", "networking.k8s.io/v1beta1",
                #"Unsupported value: "networking.k8s.io/v1beta1": supported values: "networking.k8s.io/v1""#
            ),
            ("Ingress", "extensions/v1beta1", #"Unsupported value: "extensions/v1beta1""#),
            ("EndpointSlice", "discovery.k8s.io/v1beta1", #"supported values: "discovery.k8s.io/v1""#),
            ("Service", "", "Required value"),
        ])
    func apiVersion(_ kind: String, _ version: String, _ message: String) throws {
        let text = (version.isEmpty ? "" : "apiVersion: \(version)\n") + "kind: \(kind)\nmetadata: {name: x, namespace: team}\n"
        let result = ManifestDecoder.decode(text, source: "v.yaml")
        #expect(result.objects.isEmpty)
        let issue = try #require(result.issues.first)
        #expect(issue.object == ObjectRef(kind: kind, namespace: "team", name: "x"))
        #expect(issue.field == "apiVersion")
        #expect(issue.message.hasPrefix(message) || issue.message.contains(message), "\(issue.message)")
        #expect(result.failedRefs == [ObjectRef(kind: kind, namespace: "team", name: "x")])
    }

    @Test(
        "a value of the wrong type is reported at its field path",
        arguments: [
            (
                "spec: {rules: [{host: a.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: eighty}}}}]}}]}",
                "spec.rules[0].http.paths[0].backend.service.port.number", "Invalid value: expected an integer"
            ),
            ("spec: {rules: {host: a.com}}", "spec.rules", "Invalid value: expected a list"),
            (
                "spec: {ingressClassName: [a, b]}", "spec.ingressClassName",
                "Invalid value: expected a single value (a string, number or boolean)"
            ),
            ("metadata: {name: web, labels: [a]}", "metadata.labels", "Invalid value: expected a mapping"),
            ("spec: [a]", "spec", "Invalid value: expected a mapping"),
        ])
    func typeMismatch(_ body: String, _ field: String, _ message: String) throws {
        var text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
        if !body.hasPrefix("metadata") { text += "metadata: {name: web}\n" }
        text += body + "\n"
        let result = ManifestDecoder.decode(text, source: "t.yaml")
        #expect(result.objects.isEmpty)
        let issue = try #require(result.issues.first)
        #expect(issue.object == ObjectRef(kind: "Ingress", namespace: "default", name: "web"))
        #expect(issue.field == field)
        #expect(issue.message == message)
        #expect(result.failedRefs.count == 1)
    }

    @Test("a missing required key is reported at its path")
    func missingKey() throws {
        let text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny}
            spec:
              podSelector: {}
              ingress:
              - from:
                - podSelector:
                    matchExpressions: [{operator: In, values: [a]}]
            """
        let result = ManifestDecoder.decode(text, source: "np.yaml")
        let issue = try #require(result.issues.first)
        #expect(issue.field == "spec.ingress[0].from[0].podSelector.matchExpressions[0].key")
        #expect(issue.message == "Required value")
    }

    @Test("kinds Gatehouse does not read are ignored without a problem")
    func unknownKinds() {
        let text = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: route}
            ---
            """ + "\n" + Self.service
        let result = ManifestDecoder.decode(text, source: "mixed.yaml")
        #expect(result.ignoredKinds == ["ConfigMap", "HTTPRoute"])
        #expect(result.issues.isEmpty)
        #expect(result.objects.map(\.kind) == ["Service"])
    }

    @Test("a document that is not an object, or has no kind, is a problem of the file")
    func notAnObject() {
        let result = ManifestDecoder.decode("- a\n- b\n---\njust text\n---\napiVersion: v1\nmetadata: {name: x}\n", source: "odd.yaml")
        #expect(result.objects.isEmpty)
        #expect(!result.syntaxError)
        #expect(result.issues.map(\.object.kind) == ["File", "File", "File"])
        #expect(
            result.issues.map(\.field) == ["document 1", "document 2", "document 3: kind"])
        #expect(result.issues[0].message == "expected a Kubernetes object (a mapping)")
        #expect(result.issues[2].message == "Required value")
    }

    @Test("an object without a name is referred to by its file and document")
    func unnamedObject() throws {
        let result = ManifestDecoder.decode("apiVersion: v2\nkind: Service\n", source: "s.yaml")
        let issue = try #require(result.issues.first)
        #expect(issue.object == ObjectRef(kind: "Service", namespace: "default", name: "s.yaml#1"))
    }

    @Test("cluster-scoped kinds have no namespace; namespaced kinds default to default")
    func namespaces() {
        let text = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: edge, namespace: ignored}
            spec: {controller: gatehouse.dev/ingress-controller}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: tls}
            type: kubernetes.io/tls
            """
        let result = ManifestDecoder.decode(text, source: "c.yaml")
        #expect(
            result.objects.map(\.ref) == [
                ObjectRef(kind: "IngressClass", namespace: nil, name: "edge"), ObjectRef(kind: "Secret", namespace: "default", name: "tls"),
            ])
    }

    @Test("targetPort decodes as a number or a name")
    func intOrString() {
        let text =
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80, targetPort: 8080}, {port: 81, targetPort: web}]}\n"
        guard case .service(let service) = ManifestDecoder.decode(text, source: "s.yaml").objects.first else {
            Issue.record("expected a Service")
            return
        }
        #expect(service.spec?.ports?.map(\.targetPort) == [.int(8080), .string("web")])
    }
}
