import KubeModel
import Routing
import Testing

/// The explanation of one request: rule selection with the losers and their reasons, closest matches, Service and
/// endpoints, TLS, redirect, rewrite, entry and controller steps.
struct ExplainerTests {
    /// A fake NetworkPolicy answer for every endpoint.
    struct FixedAccess: EndpointAccessCheck {
        let answer: EndpointAccess
        func access(to endpoint: Endpoint, of cluster: ClusterID) -> EndpointAccess { answer }
    }

    static func state(_ yaml: String) -> ClusterState {
        var store = ManifestStore()
        store.update(path: "test.yaml", text: yaml)
        return store.admit(now: "2026-01-01T00:00:00Z")
    }

    static func explain(
        _ yaml: String, _ url: String, controller: ControllerIdentity? = nil, access: (any EndpointAccessCheck)? = nil
    ) throws -> Explanation {
        let state = state(yaml)
        let routing = RoutingOptions(ingressClasses: ["gatehouse", "nginx"])
        let snapshot = SnapshotBuilder(state: state, options: routing).build(version: 1)
        let options = ExplainOptions(routing: routing, controller: controller)
        return Explainer(state: state, snapshot: snapshot, options: options, access: access).explain(try ExplainRequest(url: url))
    }

    /// An Ingress with `paths` (path, type, service) on `host`, created at `created`.
    static func ingress(
        _ name: String, host: String?, _ paths: [(String, String, String)], annotations: String = "", className: String = "gatehouse",
        created: String = "2026-01-01T00:00:00Z", extra: String = ""
    ) -> String {
        var text = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: \(name)
              creationTimestamp: "\(created)"
            \(annotations.isEmpty ? "" : "  annotations: {\(annotations)}\n")spec:
              ingressClassName: \(className)
            \(extra)  rules:
              - \(host.map { "host: \"\($0)\"\n    " } ?? "")http:
                  paths:

            """
        for (path, type, service) in paths {
            text += "      - {path: \"\(path)\", pathType: \(type), backend: {service: {name: \(service), port: {number: 80}}}}\n"
        }
        return text + "---\n"
    }

    /// A Service on port 80 → 8080 with one EndpointSlice listing `addresses` (ready unless in `notReady`).
    static func service(_ name: String, _ addresses: [String] = ["10.0.0.1"], notReady: Set<String> = [], type: String? = nil) -> String {
        var text = """
            apiVersion: v1
            kind: Service
            metadata: {name: \(name)}
            spec: {\(type.map { "type: \($0), " } ?? "")selector: {app: \(name)}, ports: [{port: 80, targetPort: 8080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: \(name)-1, labels: {kubernetes.io/service-name: \(name)}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints:

            """
        for address in addresses {
            text +=
                "- {addresses: [\"\(address)\"], conditions: {ready: \(!notReady.contains(address))}, targetRef: {kind: Pod, name: \(name)-\(address.split(separator: ".").last ?? "")}}\n"
        }
        return text + "---\n"
    }

    @Test("the tutorial's request: regex mode, the other path lost, rewrite, first ready endpoint next")
    func tutorial() throws {
        let yaml =
            Self.ingress(
                "my-ingress", host: "api.example.com", [("/users", "Prefix", "user-service"), ("/orders", "Prefix", "order-service")],
                annotations: "nginx.ingress.kubernetes.io/rewrite-target: /", className: "nginx")
            + Self.service("user-service", ["10.0.0.1", "10.0.0.2", "10.0.0.3"], notReady: ["10.0.0.1"]) + Self.service("order-service")
        let explanation = try Self.explain(yaml, "https://api.example.com/users?id=7")
        #expect(explanation.rule.kind == "path")
        #expect(explanation.rule.hostMatch == "exact")
        #expect(explanation.rule.regexMode)
        #expect(explanation.rule.matched?.field == "spec.rules[0].http.paths[0]")
        #expect(explanation.rule.matched?.matchedAs == "Regex ^/users (case-insensitive)")
        #expect(
            explanation.rule.lost == [
                Explanation.LostRule(
                    ingress: "default/my-ingress", field: "spec.rules[0].http.paths[1]", host: "api.example.com", path: "/orders",
                    pathType: "Prefix", reason: "^/orders (case-insensitive) does not match /users")
            ])
        #expect(explanation.rule.closest == nil)
        #expect(explanation.controller.ingress == "default/my-ingress")
        #expect(explanation.controller.served)
        #expect(explanation.controller.reason == "class \"nginx\" is served through --ingress-class (gatehouse, nginx)")
        #expect(explanation.service?.service == "default/user-service")
        #expect(explanation.service?.port == "80/TCP")
        #expect(explanation.service?.targetPort == "8080")
        let endpoints = try #require(explanation.endpoints)
        #expect(endpoints.ready == 2)
        #expect(endpoints.total == 3)
        #expect(endpoints.next == "10.0.0.2:8080")
        #expect(endpoints.items.map(\.next) == [false, true, false])
        #expect(endpoints.items.map(\.ready) == [false, true, true])
        #expect(endpoints.items.first?.pod == "default/user-service-1")
        #expect(explanation.rewrite == Explanation.Rewrite(rewriteTarget: "/", from: "/users?id=7", to: "/?id=7"))
        #expect(explanation.redirect == nil)
        #expect(explanation.outcome.action == "proxy")
        #expect(explanation.outcome.summary == "proxied to 10.0.0.2:8080 (Pod default/user-service-2) as GET /?id=7")
        #expect(explanation.tls.used)
        #expect(explanation.tls.selection == "default")
        #expect(explanation.tls.problem == "no spec.tls entry of a served Ingress lists api.example.com")
        #expect(explanation.entry.kind == "listener")
        #expect(explanation.entry.summary.hasSuffix("listener takes port 8443 (--https-port); the URL's port 443 must lead there"))
    }

    @Test("exact host first: wildcard and host-less rules lose, with the fall-through rule as reason")
    func hostLevels() throws {
        let yaml =
            Self.ingress("exact", host: "a.example.com", [("/x", "Prefix", "web")])
            + Self.ingress("wild", host: "*.example.com", [("/", "Prefix", "web")])
            + Self.ingress("any", host: nil, [("/", "Prefix", "web")]) + Self.service("web")
        let explanation = try Self.explain(yaml, "http://a.example.com/x/y")
        #expect(explanation.rule.matched?.ingress == "default/exact")
        // Equally old Ingresses are listed by name: "any", then "wild".
        #expect(
            explanation.rule.lost.map(\.reason) == [
                "rules without a host only take requests for hosts no rule names; a.example.com has rules for a.example.com itself",
                "a.example.com has rules for a.example.com itself, and a host's rules never fall through to *.example.com",
            ])
        let wildcard = try Self.explain(yaml, "http://b.example.com/")
        #expect(wildcard.rule.hostMatch == "wildcard")
        #expect(wildcard.rule.matched?.ingress == "default/wild")
        #expect(wildcard.rule.lost.map(\.ingress) == ["default/any"])
        let deeper = try Self.explain(yaml, "http://c.b.example.com/")
        #expect(deeper.rule.hostMatch == "any")
        #expect(deeper.rule.lost.isEmpty, "a two-label-deeper host is not covered by *.example.com at all")
    }

    @Test("losers that also match: a longer prefix, an Exact path, a path claimed by an older Ingress, another class")
    func alsoMatches() throws {
        let yaml =
            Self.ingress(
                "old", host: "shop.example.com", [("/api", "Prefix", "web"), ("/api/v1", "Prefix", "web")], created: "2025-01-01T00:00:00Z")
            + Self.ingress("young", host: "shop.example.com", [("/api", "Prefix", "web"), ("/api/v1/items", "Exact", "web")])
            + Self.ingress("foreign", host: "shop.example.com", [("/api", "Prefix", "web")], className: "other")
            + Self.service("web")
        let prefix = try Self.explain(yaml, "http://shop.example.com/api/v1/orders")
        #expect(prefix.rule.matched?.ingress == "default/old")
        #expect(prefix.rule.matched?.path == "/api/v1")
        #expect(
            prefix.rule.lost.map(\.reason) == [
                "also matches, but /api/v1 is a longer prefix (the longest match wins)",
                "not served by this controller: class \"other\" belongs to another controller",
                "left out of the routing table: host \"shop.example.com\" Prefix path \"/api\" is already claimed by the older Ingress default/old; ignored",
                "Exact /api/v1/items is not the whole path /api/v1/orders",
            ])
        let exact = try Self.explain(yaml, "http://shop.example.com/api/v1/items")
        #expect(exact.rule.matched?.pathType == "Exact")
        #expect(exact.rule.lost.first?.reason == "also matches, but the Exact path /api/v1/items is checked first")
    }

    @Test("nothing matches: 404 with the closest path of the host")
    func closestPath() throws {
        let yaml =
            Self.ingress("api", host: "api.example.com", [("/users", "Prefix", "web"), ("/orders", "Prefix", "web")]) + Self.service("web")
        let explanation = try Self.explain(yaml, "http://api.example.com/user")
        #expect(explanation.rule.kind == "none")
        #expect(explanation.rule.matched == nil)
        #expect(explanation.rule.closest?.path == "/users")
        #expect(
            explanation.rule.closest?.reason
                == "no path of api.example.com matches /user; the closest is Prefix /users (whole path elements)")
        #expect(explanation.outcome.status == 404)
        #expect(explanation.service == nil)
        #expect(explanation.endpoints == nil)
        #expect(explanation.controller.served == false)
        #expect(explanation.text.contains("3. Rule: no rule matches (host match: exact)\n   closest: no path of api.example.com"))
    }

    @Test("unknown host: the closest host by spelling, and its closest path")
    func closestHost() throws {
        let yaml =
            Self.ingress("api", host: "api.example.com", [("/users", "Prefix", "web")])
            + Self.ingress("shop", host: "shop.example.net", [("/", "Prefix", "web")]) + Self.service("web")
        let explanation = try Self.explain(yaml, "http://api.example.org/users")
        #expect(explanation.rule.hostMatch == "none")
        #expect(explanation.rule.lost.isEmpty)
        let closest = try #require(explanation.rule.closest)
        #expect(closest.host == "api.example.com")
        #expect(closest.path == "/users")
        #expect(
            closest.reason
                == "no rule names api.example.org, there are no rules without a host and no default backend; the closest host with rules is api.example.com (3 edits away), and its closest path Prefix /users (whole path elements)"
        )
    }

    @Test("a host's default backend takes unmatched paths")
    func hostFallback() throws {
        let yaml =
            Self.ingress(
                "api", host: "api.example.com", [("/users", "Prefix", "web")],
                extra: "  defaultBackend: {service: {name: fallback, port: {number: 80}}}\n")
            + Self.service("web") + Self.service("fallback", ["10.0.0.9"])
        let explanation = try Self.explain(yaml, "http://api.example.com/other")
        #expect(explanation.rule.kind == "host default backend")
        #expect(explanation.rule.matched?.field == "spec.defaultBackend")
        #expect(explanation.rule.matched?.matchedAs == "the Ingress's spec.defaultBackend")
        #expect(explanation.rule.closest?.path == "/users")
        #expect(explanation.rule.lost.map(\.reason) == ["Prefix /users does not match /other (whole path elements are compared)"])
        #expect(explanation.outcome.summary == "proxied to 10.0.0.9:8080 (Pod default/fallback-9) as GET /other")
    }

    @Test("backend problems: a missing Service answers 503; a Service without ready endpoints too")
    func backendProblems() throws {
        let yaml =
            Self.ingress("api", host: "api.example.com", [("/missing", "Prefix", "nope"), ("/down", "Prefix", "down")])
            + Self.service("down", ["10.0.0.5"], notReady: ["10.0.0.5"])
        let missing = try Self.explain(yaml, "http://api.example.com/missing")
        #expect(missing.service?.backend == "service nope, port 80")
        #expect(missing.service?.service == nil)
        #expect(missing.service?.problem == "Service default/nope not found; requests get 503")
        #expect(missing.endpoints == nil)
        #expect(missing.outcome == Explanation.Outcome(action: "respond", status: 503, summary: "503: Service default/nope not found"))
        let down = try Self.explain(yaml, "http://api.example.com/down")
        #expect(down.endpoints?.ready == 0)
        #expect(down.endpoints?.next == nil)
        #expect(down.outcome.status == 503)
        #expect(down.outcome.summary == "503: Service default/down:80 has no ready endpoint")
    }

    @Test("TLS: the Ingress's Secret for its host, the HTTP redirect, and the default certificate when the Secret is missing")
    func tls() throws {
        let secret = """
            apiVersion: v1
            kind: Secret
            metadata: {name: secure-tls}
            type: kubernetes.io/tls
            stringData: {tls.crt: "-----BEGIN CERTIFICATE-----", tls.key: "-----BEGIN PRIVATE KEY-----"}
            ---

            """
        let yaml =
            Self.ingress(
                "secure", host: "secure.example.com", [("/", "Prefix", "web")],
                extra: "  tls: [{hosts: [secure.example.com], secretName: secure-tls}, {hosts: [\"*.example.com\"], secretName: missing}]\n"
            )
            + Self.ingress("other", host: "other.example.com", [("/", "Prefix", "web")]) + Self.service("web") + secret
        let secure = try Self.explain(yaml, "https://secure.example.com/")
        #expect(secure.tls.certificate == "Secret default/secure-tls")
        #expect(secure.tls.selection == "exact")
        #expect(secure.tls.ingress == "default/secure")
        #expect(secure.tls.field == "spec.tls[0]")
        #expect(secure.tls.problem == nil)
        #expect(secure.redirect == nil)
        let plain = try Self.explain(yaml, "http://secure.example.com/a?b=1")
        #expect(plain.tls.used == false)
        #expect(
            plain.redirect
                == Explanation.Redirect(
                    status: 308, location: "https://secure.example.com/a?b=1",
                    reason: "the host has TLS (spec.tls) and ssl-redirect is on (the default)"))
        #expect(
            plain.outcome
                == Explanation.Outcome(action: "redirect", status: 308, summary: "308 redirect to https://secure.example.com/a?b=1"))
        let wildcard = try Self.explain(yaml, "https://other.example.com/")
        #expect(wildcard.tls.selection == "default")
        #expect(wildcard.tls.certificate == "the default certificate (generated, self-signed)")
        #expect(wildcard.tls.field == "spec.tls[1]")
        #expect(wildcard.tls.problem?.hasPrefix("Secret \"missing\" not found") == true)
    }

    @Test("entry through the controller's LoadBalancer or NodePort Service; the controller step through an IngressClass")
    func entryAndController() throws {
        let yaml =
            Self.ingress("web", host: "web.example.com", [("/", "Prefix", "web")], className: "public") + Self.service("web")
                + """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: public}
                spec: {controller: gatehouse.dev/ingress-controller}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: edge, namespace: ingress}
                spec:
                  type: LoadBalancer
                  selector: {app: edge}
                  ports: [{name: https, port: 443, targetPort: 8443}, {name: http, port: 80, targetPort: 8080, nodePort: 30080}]
                """
        let controller = ControllerIdentity(namespace: "ingress", labels: ["app": "edge", "pod-template-hash": "x"], source: "test")
        let explanation = try Self.explain(yaml, "https://web.example.com/", controller: controller)
        #expect(explanation.entry.kind == "LoadBalancer")
        #expect(explanation.entry.service == "ingress/edge")
        #expect(explanation.entry.ports == ["443/TCP → 8443 (https)", "80/TCP → 8080 (http, nodePort 30080)"])
        #expect(explanation.entry.addresses == nil)
        #expect(
            explanation.entry.summary
                == "web.example.com resolves to the external address of LoadBalancer Service ingress/edge (none in its status.loadBalancer yet); its port 443 forwards to the controller's Pods on port 8443"
        )
        #expect(explanation.controller.ingressClass == "public")
        #expect(explanation.controller.ingressClassController == "gatehouse.dev/ingress-controller")
        #expect(
            explanation.controller.reason
                == "IngressClass \"public\" names controller gatehouse.dev/ingress-controller, this controller (--controller-class)")
        #expect(explanation.controller.identity == "namespace ingress, labels app=edge,pod-template-hash=x (from test)")
        let other = ControllerIdentity(namespace: "elsewhere", labels: ["app": "edge"], source: "test")
        #expect(try Self.explain(yaml, "https://web.example.com/", controller: other).entry.kind == "listener")
    }

    @Test("entry: a LoadBalancer's addresses from its status; a NodePort Service's node port for the URL's port")
    func entryAddressesAndNodePorts() throws {
        let routes = Self.ingress("web", host: "web.example.com", [("/", "Prefix", "web")]) + Self.service("web")
        let controller = ControllerIdentity(namespace: "ingress", labels: ["app": "edge"], source: "test")
        let balanced = try Self.explain(
            routes + """
                apiVersion: v1
                kind: Service
                metadata: {name: edge, namespace: ingress}
                spec:
                  type: LoadBalancer
                  selector: {app: edge}
                  ports: [{name: https, port: 443, targetPort: https}]
                status:
                  loadBalancer:
                    ingress: [{ip: 203.0.113.10}, {hostname: edge.lb.example.net}, {}]
                """,
            "https://web.example.com/", controller: controller)
        #expect(balanced.entry.addresses == ["203.0.113.10", "edge.lb.example.net"])
        #expect(
            balanced.entry.summary
                == "web.example.com resolves to 203.0.113.10 or edge.lb.example.net, the external address of LoadBalancer Service ingress/edge; its port 443 forwards to the controller's Pods on their port named \"https\""
        )

        let nodePorts =
            routes + """
                apiVersion: v1
                kind: Service
                metadata: {name: edge, namespace: ingress}
                spec:
                  type: NodePort
                  selector: {app: edge}
                  ports: [{name: https, port: 443, targetPort: 8443, nodePort: 30443}, {name: http, port: 80, targetPort: 8080}]
                """
        let byServicePort = try Self.explain(nodePorts, "https://web.example.com/a?b=1", controller: controller)
        #expect(byServicePort.entry.kind == "NodePort")
        #expect(byServicePort.entry.addresses == nil)
        #expect(
            byServicePort.entry.summary
                == "web.example.com resolves to a node; NodePort Service ingress/edge takes its port 443 on node port 30443 of every node: the request must go to https://web.example.com:30443/a?b=1, or through a load balancer in front of the nodes that forwards to that node port; it forwards to the controller's Pods on port 8443"
        )
        let byNodePort = try Self.explain(nodePorts, "https://web.example.com:30443/", controller: controller)
        #expect(
            byNodePort.entry.summary
                == "web.example.com resolves to a node; NodePort Service ingress/edge forwards node port 30443 to the controller's Pods on port 8443"
        )
        let assigned = try Self.explain(nodePorts, "http://web.example.com/", controller: controller)
        #expect(
            assigned.entry.summary
                == "web.example.com resolves to a node; NodePort Service ingress/edge takes its port 80 on a node port the cluster assigns (not in the manifests: `kubectl get service` shows it), which the request must go to; it forwards to the controller's Pods on port 8080"
        )
        let elsewhere = try Self.explain(nodePorts, "http://web.example.com:8081/", controller: controller)
        #expect(
            elsewhere.entry.summary
                == "NodePort Service ingress/edge selects the controller's Pods but has no port or node port 8081 (ports: 443/TCP → 8443 (https, nodePort 30443), 80/TCP → 8080 (http))"
        )
    }

    @Test("NetworkPolicy answers land on every endpoint, and a blocked next endpoint changes the result")
    func networkPolicy() throws {
        let yaml = Self.ingress("web", host: "web.example.com", [("/", "Prefix", "web")]) + Self.service("web", ["10.0.0.1", "10.0.0.2"])
        let blocked = EndpointAccess(.blocked, "ingress of default/web-1: isolated by deny-all; denied: no ingress rule admits it")
        let explanation = try Self.explain(yaml, "http://web.example.com/", access: FixedAccess(answer: blocked))
        #expect(explanation.endpoints?.items.map(\.networkPolicy) == [blocked, blocked])
        #expect(
            explanation.outcome.summary
                == "proxied to 10.0.0.1:8080 (Pod default/web-1) as GET /; but NetworkPolicy drops the connection: after the connect timeout (5 s) the request moves to the next endpoint or fails with 504"
        )
        #expect(
            explanation.text.contains(
                "   10.0.0.1:8080 ready, Pod default/web-1, next (round-robin starts here); NetworkPolicy blocked: ingress of"))
        let none = try Self.explain(yaml, "http://web.example.com/")
        #expect(none.endpoints?.items.allSatisfy { $0.networkPolicy == nil } == true)
    }

    @Test("a target that climbs above the root is a 400")
    func badTarget() throws {
        let yaml = Self.ingress("web", host: "web.example.com", [("/", "Prefix", "web")]) + Self.service("web")
        let explanation = try Self.explain(yaml, "http://web.example.com/../etc")
        #expect(explanation.outcome.status == 400)
        #expect(explanation.rule.kind == "none")
    }
}
