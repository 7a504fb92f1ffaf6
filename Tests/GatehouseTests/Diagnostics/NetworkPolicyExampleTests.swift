import Foundation
import Gatehouse
import KubeModel
import Policy
import Routing
import Testing

/// `examples/network-policy/`: the tutorial's `deny-all` and `allow-frontend` (unchanged) plus what the tutorial
/// leaves out (the frontend's egress, the Pods, the controller and an Ingress to the backend).
struct NetworkPolicyExampleTests {
    static let example = ["examples/network-policy"]
    static let fixed = ["examples/network-policy", "examples/network-policy-fix"]

    @Test("policy matrix: frontend → backend:8080 is allowed and everything else is blocked")
    func matrix() {
        let report = PolicyReport(state: DiagnosticsSupport.load(Self.example))
        #expect(report.warnings.isEmpty)
        #expect(report.defaultMatrixPorts(protocol: .tcp) == [80, 8080])
        let matrix = report.engine.matrix(port: 8080)
        #expect(matrix.pods == ["default/backend", "default/frontend", "default/other"])
        for from in matrix.pods {
            for to in matrix.pods where from != to {
                let expected = from == "default/frontend" && to == "default/backend"
                #expect(matrix.isAllowed(from: from, to: to) == expected, "\(from) → \(to)")
            }
        }
        #expect(
            report.matrixText(ports: [8080], protocol: .tcp) == """
                TCP/8080: . allowed, X blocked (rows: from, columns: to)
                -                default/backend  default/frontend default/other
                default/backend  .                X                X
                default/frontend .                .                X
                default/other    X                X                .

                """)
        for port in [80, 443, 8081] {
            #expect(report.engine.matrix(port: port).blockedCount == 6, "TCP/\(port)")
        }
        #expect(report.engine.matrix(port: 8080, protocol: .udp).blockedCount == 6)
    }

    @Test("without the egress policy the tutorial's two policies block frontend → backend on the way out")
    func tutorialPoliciesAlone() throws {
        var state = DiagnosticsSupport.load(Self.example)
        let egress = try #require(state.networkPolicies.keys.first { $0.name == "allow-frontend-egress" })
        let remaining = state.networkPolicies.filter { $0.key != egress }.map { KubeObject.networkPolicy($0.value) }
        state = ClusterState(
            objects: state.pods.values.map(KubeObject.pod) + state.namespaces.values.map(KubeObject.namespace) + remaining)
        let verdict = try PolicyReport(state: state).engine.verdict(
            from: .pod(namespace: "default", name: "frontend"), to: .pod(namespace: "default", name: "backend"), port: 8080)
        #expect(verdict.allowed == false)
        #expect(verdict.egress?.outcome == .denied)
        #expect(verdict.ingress?.outcome == .admitted)
    }

    @Test("lint flags the controller blocked from the backend until a policy admits it")
    func lintTrap() {
        let blocked = Diagnostics.lint(
            state: DiagnosticsSupport.load(Self.example), options: DiagnosticsSupport.routing, controller: nil, now: DiagnosticsSupport.now)
        #expect(blocked.hasErrors == false, "without the controller's identity nothing can be checked: only a warning")
        #expect(blocked.issues.map(\.object.kind) == ["Controller"])

        let state = DiagnosticsSupport.load(Self.example)
        let controller = ControllerIdentity.resolve(in: state, namespace: nil, labels: nil)
        let report = Diagnostics.lint(
            state: state, options: DiagnosticsSupport.routing, controller: controller, now: DiagnosticsSupport.now)
        #expect(report.hasErrors)
        #expect(
            report.text == """
                default/shop: spec.rules[0].http.paths[0].backend: NetworkPolicy blocks the controller (gatehouse/gatehouse) from 1 of 1 endpoints of Service default/backend:8080 (Pod default/backend 10.1.0.2:8080): egress of gatehouse/gatehouse: not isolated (no policy selects it for egress); ingress of default/backend: isolated by allow-frontend, deny-all; denied: no ingress rule admits it; requests sent there time out (504) until a policy admits the controller

                """)

        let fixedState = DiagnosticsSupport.load(Self.fixed)
        let fixed = Diagnostics.lint(
            state: fixedState, options: DiagnosticsSupport.routing,
            controller: ControllerIdentity.resolve(in: fixedState, namespace: nil, labels: nil), now: DiagnosticsSupport.now)
        #expect(fixed.issues.isEmpty, "\(fixed.text)")
        #expect(fixed.hasErrors == false)
    }

    @Test("without its Deployment the controller is named by flags; a Pod of the manifests carrying them stands for it")
    func lintWithFlags() {
        let loaded = DiagnosticsSupport.load(Self.example)
        #expect(loaded.deployments.count == 1)
        let state = ClusterState(
            objects: loaded.pods.values.map(KubeObject.pod) + loaded.networkPolicies.values.map(KubeObject.networkPolicy)
                + loaded.ingresses.values.map(KubeObject.ingress) + loaded.services.values.map(KubeObject.service))
        func lint(_ namespace: String?, _ labels: [String: String]?) -> LintReport {
            let controller =
                namespace == nil && labels == nil ? nil : ControllerIdentity.resolve(in: state, namespace: namespace, labels: labels)
            return Diagnostics.lint(state: state, options: DiagnosticsSupport.routing, controller: controller, now: DiagnosticsSupport.now)
        }
        #expect(
            lint(nil, nil).issues.map(\.description) == [
                "controller: NetworkPolicies exist but the controller's namespace and labels are unknown, so they were not checked against it: pass --controller-namespace and --controller-labels, or include the controller's Deployment"
            ])
        let outside = lint("gatehouse", ["app.kubernetes.io/name": "gatehouse"])
        #expect(outside.hasErrors)
        #expect(outside.issues.first?.message.hasPrefix("NetworkPolicy blocks the controller (gatehouse/gatehouse) from 1 of 1") == true)
        let asFrontend = lint("default", ["app": "frontend"])
        #expect(asFrontend.issues.isEmpty, "the frontend Pod stands for the controller, and it may reach the backend on 8080")
    }
}
