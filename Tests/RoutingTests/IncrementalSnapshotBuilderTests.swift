import KubeModel
import Testing

@testable import Routing

/// The incremental snapshot build against a build from scratch: the same random edit sequences (Ingresses sharing
/// hosts and paths, classes, annotations, default backends, TLS, Services, EndpointSlices, Secrets, IngressClasses,
/// Pods) must give exactly the same snapshot after every edit, cluster numbers included.
struct IncrementalSnapshotBuilderTests {
    typealias Generator = IncrementalAdmissionTests.Generator

    /// Everything a route holds, comparable.
    struct RouteFacts: Hashable {
        var source: RouteSource
        var matcher: PathMatcher
        var backend: RouteBackend
        var policy: RoutePolicy
        var rewrite: PathRewrite?
        var redirectToHTTPS: Bool

        init(_ route: Route) {
            source = route.source
            matcher = route.matcher
            backend = route.backend
            policy = route.policy
            rewrite = route.rewrite
            redirectToHTTPS = route.redirectToHTTPS
        }
    }

    /// Everything a host's routes hold, comparable.
    struct HostFacts: Hashable {
        var exact: [String: RouteFacts]
        var ordered: [RouteFacts]
        var fallback: RouteFacts?
        var regexMode: Bool

        init(_ routes: HostRoutes) {
            exact = routes.exact.mapValues(RouteFacts.init)
            ordered = routes.ordered.map(RouteFacts.init)
            fallback = routes.fallback.map(RouteFacts.init)
            regexMode = routes.regexMode
        }
    }

    /// Everything a snapshot holds, comparable.
    struct SnapshotFacts: Hashable {
        var exactHosts: [String: HostFacts]
        var wildcardHosts: [String: HostFacts]
        var anyHost: HostFacts?
        var defaultRoute: RouteFacts?
        var clusters: [Cluster]
        var issues: [ConfigIssue]
        var served: [ObjectRef]
        var tls: TLSTable

        init(_ snapshot: RoutingSnapshot) {
            exactHosts = snapshot.routeTable.exactHosts.mapValues(HostFacts.init)
            wildcardHosts = snapshot.routeTable.wildcardHosts.mapValues(HostFacts.init)
            anyHost = snapshot.routeTable.anyHost.map(HostFacts.init)
            defaultRoute = snapshot.routeTable.defaultRoute.map(RouteFacts.init)
            clusters = snapshot.clusters
            issues = snapshot.issues
            served = snapshot.servedIngresses
            tls = snapshot.tls
        }
    }

    /// Certificates whose validity windows open and close during a test's builds (`now` is 1_800_000_000 + step).
    struct WindowInspector: CertificateInspector {
        func inspect(chainPEM: [UInt8], keyPEM: [UInt8]) -> Result<CertificateFacts, CertificateProblem> {
            let base = 1_800_000_000
            switch String(decoding: chainPEM, as: UTF8.self) {
            case "CERT1":
                return .success(
                    CertificateFacts(
                        notBefore: base + 10, notAfter: base + 30, dnsNames: ["x.example", "*.example"], keyType: "RSA", subject: "CN=1"))
            case "CERT2":
                return .success(
                    CertificateFacts(notBefore: 0, notAfter: base + 25, dnsNames: ["y.example"], keyType: "RSA", subject: "CN=2"))
            default:
                return .failure(CertificateProblem("unknown certificate"))
            }
        }
    }

    static func pick<T>(_ values: [T], _ random: inout Generator) -> T {
        values[Int.random(in: 0..<values.count, using: &random)]
    }

    /// One random document.
    static func document(_ random: inout Generator) -> String {
        let namespace = pick(["", "namespace: team\n  "], &random)
        switch Int.random(in: 0..<12, using: &random) {
        case 0..<5:
            return ingress(&random, namespace: namespace)
        case 5, 6:
            let name = pick(["web", "api"], &random)
            let ports = pick(
                [
                    "[{port: 80}]", "[{name: http, port: 80}, {name: alt, port: 8080}]",
                    "[{name: udp, port: 80, protocol: UDP}, {name: tcp, port: 80}]",
                    "[{name: http, port: 8080}]",
                ], &random)
            let external =
                Bool.random(using: &random) && Int.random(in: 0..<4, using: &random) == 0
                ? "type: ExternalName, externalName: ext.example, " : ""
            return "apiVersion: v1\nkind: Service\nmetadata:\n  \(namespace)name: \(name)\nspec: {\(external)ports: \(ports)}\n"
        case 7, 8:
            let service = pick(["web", "api"], &random)
            let address = pick(["10.0.0.1", "10.0.0.2", "10.0.0.3"], &random)
            let portName = pick(["\"\"", "http", "tcp"], &random)
            let ready = pick(["true", "false"], &random)
            return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  \(namespace)name: \(service)-\(pick(["a", "b"], &random))
                  labels: {kubernetes.io/service-name: \(service)}
                addressType: IPv4
                ports: [{name: \(portName), port: \(pick([8080, 9090], &random))}]
                endpoints: [{addresses: ["\(address)"], conditions: {ready: \(ready)}}]

                """
        case 9:
            let key = Bool.random(using: &random) ? "\n  tls.key: KEY" : ""
            return
                "apiVersion: v1\nkind: Secret\nmetadata:\n  \(namespace)name: \(pick(["tls-a", "tls-b"], &random))\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: CERT\(pick(["1", "2"], &random))\(key)\n"
        case 10:
            let controller = pick(["gatehouse.dev/ingress-controller", "other.dev/controller"], &random)
            let isDefault = Bool.random(using: &random) ? "\n  annotations: {ingressclass.kubernetes.io/is-default-class: \"true\"}" : ""
            return
                "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: \(pick(["gatehouse", "mine"], &random))\(isDefault)\nspec: {controller: \(controller)}\n"
        default:
            return """
                apiVersion: v1
                kind: Pod
                metadata: {\(namespace.isEmpty ? "" : "namespace: team, ")name: \(pick(["p1", "p2"], &random)), labels: {app: web}}
                status: {podIP: \(pick(["10.1.0.1", "10.1.0.2"], &random)), conditions: [{type: Ready, status: "True"}]}

                """
        }
    }

    /// A random Ingress from a few names, hosts, paths and backends, so that they collide.
    static func ingress(_ random: inout Generator, namespace: String) -> String {
        let name = pick(["a", "b", "c", "d", "e"], &random)
        let created = pick(
            ["", "creationTimestamp: \"2024-01-01T00:00:00Z\"\n  ", "creationTimestamp: \"2025-01-01T00:00:00Z\"\n  "], &random)
        let className = pick(["  ingressClassName: gatehouse\n", "  ingressClassName: other\n", "", "  ingressClassName: mine\n"], &random)
        var annotations: [String] = []
        if Int.random(in: 0..<4, using: &random) == 0 { annotations.append("nginx.ingress.kubernetes.io/use-regex: \"true\"") }
        if Int.random(in: 0..<4, using: &random) == 0 { annotations.append("nginx.ingress.kubernetes.io/rewrite-target: /$1") }
        if Int.random(in: 0..<4, using: &random) == 0 { annotations.append("nginx.ingress.kubernetes.io/ssl-redirect: \"false\"") }
        if Int.random(in: 0..<5, using: &random) == 0 { annotations.append("nginx.ingress.kubernetes.io/force-ssl-redirect: \"true\"") }
        let annotationText = annotations.isEmpty ? "" : "annotations: {\(annotations.joined(separator: ", "))}\n  "
        func backend(_ random: inout Generator) -> String {
            let port = pick(["{number: 80}", "{name: http}", "{number: 8080}", "{name: tcp}"], &random)
            return "{service: {name: \(pick(["web", "api", "gone"], &random)), port: \(port)}}"
        }
        var spec = className
        if Int.random(in: 0..<3, using: &random) == 0 { spec += "  defaultBackend: \(backend(&random))\n" }
        if Int.random(in: 0..<3, using: &random) == 0 {
            spec += "  tls:\n  - hosts: [\(pick(["x.example", "\"*.example\"", "y.example"], &random))]\n"
            spec += "    secretName: \(pick(["tls-a", "tls-b"], &random))\n"
        }
        let ruleCount = Int.random(in: 0..<3, using: &random)
        if ruleCount > 0 {
            spec += "  rules:\n"
            for _ in 0..<ruleCount {
                let host = pick(["x.example", "\"*.example\"", "y.example", ""], &random)
                spec += host.isEmpty ? "  - http:\n" : "  - host: \(host)\n    http:\n"
                spec += "      paths:\n"
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let path = pick(["/", "/api", "/api/", "/v([0-9]+)", "/static"], &random)
                    let type = pick(["Prefix", "Exact", "ImplementationSpecific"], &random)
                    spec += "      - {path: \"\(path)\", pathType: \(type), backend: \(backend(&random))}\n"
                }
            }
        }
        return """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              \(namespace)\(created)\(annotationText)name: \(name)
            spec:
            \(spec)
            """
    }

    @Test("incremental builds equal builds from scratch on random edit sequences", arguments: 1...40)
    func randomEdits(seed: Int) {
        var random = Generator(state: UInt64(seed) &* 7919)
        var slots: [String] = Array(repeating: "", count: 14)
        var incremental = IncrementalSnapshotBuilder()
        let options = Self.pick(
            [RoutingOptions(), RoutingOptions(defaultCertificate: ObjectRef(kind: "Secret", namespace: "default", name: "tls-a"))], &random)
        // Half the sequences evolve one state through a ManifestStore (the builder follows its change journal),
        // the others make a new state each time (the builder compares every object).
        let evolving = seed % 4 >= 2
        var store = ManifestStore()
        for step in 0..<50 {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let slot = Int.random(in: 0..<slots.count, using: &random)
                slots[slot] = Int.random(in: 0..<6, using: &random) == 0 ? "" : Self.document(&random)
                store.update(path: "slot-\(slot).yaml", text: slots[slot])
            }
            let state =
                evolving
                ? store.admit(now: "2026-01-01T00:00:00Z")
                : ClusterState(objects: slots.flatMap { ManifestDecoder.decode($0, source: "test.yaml").objects })
            let now = 1_800_000_000 + step
            let inspector: (any CertificateInspector)? = seed % 2 == 0 ? WindowInspector() : nil
            let got = incremental.build(state: state, options: options, inspector: inspector, now: now, version: step)
            let want = SnapshotBuilder(state: state, options: options, inspector: inspector, now: now).build(version: step)
            let equal = SnapshotFacts(got) == SnapshotFacts(want)
            #expect(equal, "seed \(seed), step \(step): the incremental snapshot differs")
            if !equal {
                #expect(SnapshotFacts(got).clusters == SnapshotFacts(want).clusters, "clusters")
                #expect(SnapshotFacts(got).issues == SnapshotFacts(want).issues, "issues")
                #expect(SnapshotFacts(got).exactHosts == SnapshotFacts(want).exactHosts, "exact hosts")
                return
            }
        }
    }

    @Test("a journal gives the changes after a position of its own lineage only; it never makes states differ")
    func journal() {
        var state = ClusterState()
        #expect(state.journal.changes(after: 0) == [])
        let web = KubeObject.service(Service(metadata: ObjectMeta(name: "web", namespace: "default")))
        state.insert(web)
        let position = state.journal.last
        var later = state
        later.remove(web)
        later.insert(.secret(Secret(metadata: ObjectMeta(name: "s", namespace: "default"))))
        let ref = { (kind: String, name: String) in ObjectRef(kind: kind, namespace: "default", name: name) }
        #expect(later.journal.changes(after: position) == [.service(ref("Service", "web")), .secret(ref("Secret", "s"))])
        #expect(later.journal.changes(after: later.journal.last) == [])
        var other = state
        other.insert(web)
        #expect(other.journal.changes(after: later.journal.last) == nil)
        #expect(ClusterState().journal.changes(after: position) == nil)
        #expect(other == state)
    }

    @Test("the edits reach every part: served Ingresses, TLS, clusters and conflicts all occur")
    func coverage() {
        var random = Generator(state: 3)
        var sawTLS = false
        var sawConflict = false
        var sawClusters = false
        var sawServed = false
        for _ in 0..<200 {
            let text = (0..<8).map { _ in Self.document(&random) }.joined(separator: "---\n")
            let state = ClusterState(objects: ManifestDecoder.decode(text, source: "t.yaml").objects)
            let snapshot = SnapshotBuilder(state: state, options: RoutingOptions()).build(version: 1)
            sawTLS = sawTLS || !snapshot.tls.exact.isEmpty || !snapshot.tls.wildcard.isEmpty
            sawConflict = sawConflict || snapshot.issues.contains { $0.message.contains("already claimed") }
            sawClusters = sawClusters || snapshot.clusters.count > 1
            sawServed = sawServed || snapshot.servedIngresses.count > 1
        }
        #expect(sawTLS)
        #expect(sawConflict)
        #expect(sawClusters)
        #expect(sawServed)
    }
}
