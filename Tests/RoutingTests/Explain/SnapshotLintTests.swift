import KubeModel
import Routing
import Testing

/// Lint checks on a built snapshot: backends without ready endpoints, certificates about to expire.
struct SnapshotLintTests {
    /// Reports every certificate as valid from 0 to `notAfter`, for `example.com`.
    struct FakeInspector: CertificateInspector {
        let notAfter: Int
        func inspect(chainPEM: [UInt8], keyPEM: [UInt8]) -> Result<CertificateFacts, CertificateProblem> {
            .success(
                CertificateFacts(
                    notBefore: 0, notAfter: notAfter, dnsNames: ["example.com"], keyType: "ECDSA P-256", subject: "CN=example.com"))
        }
    }

    static func snapshot(_ yaml: String, inspector: (any CertificateInspector)? = nil, now: Int? = nil) -> (RoutingSnapshot, ClusterState) {
        var store = ManifestStore()
        store.update(path: "test.yaml", text: yaml)
        let state = store.admit(now: "2026-01-01T00:00:00Z")
        return (SnapshotBuilder(state: state, options: RoutingOptions(), inspector: inspector, now: now).build(version: 1), state)
    }

    static func path(_ path: String, _ service: String) -> String {
        "      - {path: \(path), pathType: Prefix, backend: {service: {name: \(service), port: {number: 80}}}}\n"
    }

    @Test("a Service port that routes use but no ready endpoint serves gets one warning, with the reason")
    func noReadyEndpoints() {
        let yaml = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: app}
            spec:
              ingressClassName: gatehouse
              rules:
              - http:
                  paths:

            """ + Self.path("/down", "down") + Self.path("/empty", "empty") + Self.path("/nopods", "nopods")
            + Self.path("/noselector", "noselector") + Self.path("/up", "up") + Self.path("/external", "external") + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: down}
                spec: {ports: [{name: web, port: 80}, {name: admin, port: 81}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: down-1, labels: {kubernetes.io/service-name: down}}
                addressType: IPv4
                ports: [{name: web, port: 80}]
                endpoints: [{addresses: [10.0.0.1], conditions: {ready: false}}, {addresses: [10.0.0.2], conditions: {ready: false}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: empty}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: empty-1, labels: {kubernetes.io/service-name: empty}}
                addressType: IPv4
                ports: [{port: 80}]
                endpoints: []
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: nopods}
                spec: {selector: {app: nopods}, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: noselector}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: up}
                spec: {selector: {app: up}, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: up-1, labels: {app: up}}
                status: {podIP: 10.0.0.3}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: external}
                spec: {type: ExternalName, externalName: example.net, ports: [{port: 80}]}
                """
        let (snapshot, state) = Self.snapshot(yaml)
        let lines = SnapshotLint.endpointIssues(snapshot, state: state).sorted().map { "\($0) (\($0.severity))" }
        #expect(
            lines == [
                "default/down: spec.ports[0]: port 80: no ready endpoint: all 2 endpoints in its EndpointSlices are not ready; requests routed to it get 503 (warning)",
                "default/empty: spec.ports[0]: port 80: no endpoint: its EndpointSlices list none for this port; requests routed to it get 503 (warning)",
                "default/nopods: spec.ports[0]: port 80: no endpoint: no EndpointSlice, and no Pod in the manifests with an IP matches spec.selector; requests routed to it get 503 (warning)",
                "default/noselector: spec.ports[0]: port 80: no endpoint: no EndpointSlice and no spec.selector; requests routed to it get 503 (warning)",
            ])
    }

    @Test("certificates in the TLS table that expire within 30 days get a warning on their Secret")
    func expiring() {
        let yaml = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: app}
            spec:
              ingressClassName: gatehouse
              tls: [{hosts: [example.com], secretName: site}]
              rules:
              - host: example.com
                http:
                  paths:

            """ + Self.path("/", "web") + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: site}
                type: kubernetes.io/tls
                stringData: {tls.crt: cert, tls.key: key}
                """
        let now = 1_767_225_600  // 2026-01-01T00:00:00Z
        let soon = Self.snapshot(yaml, inspector: FakeInspector(notAfter: now + 10 * 86_400 + 5), now: now).0
        #expect(
            SnapshotLint.expiringCertificates(soon, now: now).map(\.description) == [
                "default/site: data[tls.crt]: the certificate expires at 2026-01-11T00:00:05Z, in 10 days"
            ])
        let later = Self.snapshot(yaml, inspector: FakeInspector(notAfter: now + 31 * 86_400), now: now).0
        #expect(SnapshotLint.expiringCertificates(later, now: now).isEmpty)
        #expect(SnapshotLint.expiringCertificates(later, now: now, within: 40 * 86_400).count == 1)
    }
}
