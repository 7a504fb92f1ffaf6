import Foundation
import Gatehouse
import KubeModel
import Routing
import Testing

/// `gatehouse lint`: every kind of problem in one report, its text and JSON forms, and when it is an error.
struct LintReportTests {
    static func lint(_ yaml: String, controller: ControllerIdentity? = nil) -> LintReport {
        Diagnostics.lint(
            state: DiagnosticsSupport.state(yaml), options: DiagnosticsSupport.routing, controller: controller, now: DiagnosticsSupport.now)
    }

    static let problems = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: old
          creationTimestamp: "2025-01-01T00:00:00Z"
          annotations: {nginx.ingress.kubernetes.io/proxy-read-timeout: soon, nginx.ingress.kubernetes.io/enable-cors: "true"}
        spec:
          ingressClassName: gatehouse
          tls: [{hosts: [shop.example.com], secretName: shop-tls}]
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
              - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: young}
        spec:
          ingressClassName: gatehouse
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: broken}
        spec:
          ingressClassName: gatehouse
          rules:
          - host: broken.example.com
            http:
              paths:
              - {path: relative, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: web}, ports: [{port: 80}]}
        """

    @Test("validation, conflicts, missing Services, annotations, TLS Secrets and endpoints, one line each")
    func everything() {
        let report = Self.lint(Self.problems)
        #expect(report.hasErrors)
        #expect(
            report.text == """
                default/broken: spec.rules[0].http.paths[0].path: Invalid value: "relative": must be an absolute path
                default/old: metadata.annotations[nginx.ingress.kubernetes.io/enable-cors]: not supported by Gatehouse yet; ignored (warning)
                default/old: metadata.annotations[nginx.ingress.kubernetes.io/proxy-read-timeout]: Invalid value: "soon": must be a positive number of seconds; using the default
                default/old: spec.rules[0].http.paths[1].backend.service.name: Service "api" not found in namespace "default"; requests get 503 (warning)
                default/old: spec.tls[0].secretName: Secret "shop-tls" not found; host "shop.example.com" gets the default certificate
                default/young: spec.rules[0].http.paths[0].path: host "shop.example.com" Prefix path "/" is already claimed by the older Ingress default/old; ignored
                default/web: spec.ports[0]: port 80: no endpoint: no EndpointSlice, and no Pod in the manifests with an IP matches spec.selector; requests routed to it get 503 (warning)

                """)
    }

    @Test("JSON: one object per problem with kind, namespace, name, field, message and severity")
    func json() throws {
        let report = Self.lint(Self.problems)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [[String: String]])
        #expect(entries.count == report.issues.count)
        #expect(
            entries.first == [
                "kind": "Ingress", "namespace": "default", "name": "broken", "object": "default/broken",
                "field": "spec.rules[0].http.paths[0].path", "message": "Invalid value: \"relative\": must be an absolute path",
                "severity": "error",
            ])
        #expect(Set(entries.compactMap { $0["severity"] }) == ["error", "warning"])
    }

    @Test("warnings alone are not errors; the tutorial's example is clean")
    func warningsOnly() {
        let report = Self.lint(
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web}
            spec:
              ingressClassName: gatehouse
              defaultBackend: {service: {name: missing, port: {number: 80}}}
            """)
        #expect(report.issues.count == 1)
        #expect(report.hasErrors == false)
        let tutorial = Diagnostics.lint(
            state: DiagnosticsSupport.load(["examples/tutorial"]), options: DiagnosticsSupport.routing, controller: nil,
            now: DiagnosticsSupport.now)
        #expect(tutorial.issues.isEmpty, "\(tutorial.text)")
        #expect(tutorial.json == "[]\n")
    }
}
