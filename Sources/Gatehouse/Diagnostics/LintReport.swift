import Foundation
import KubeModel
import Policy
import Routing

/// Everything `gatehouse lint` reports, per object and field: admission (API validation, decoding), translation
/// (conflicts, missing Services and ports, refused or unknown annotations, TLS Secrets), backends without ready
/// endpoints, certificates about to expire, and NetworkPolicies that block the controller's Pods from a backend's Pods.
public struct LintReport: Sendable {
    /// The problems, sorted (object, field, message).
    public let issues: [ConfigIssue]

    /// Whether any problem is an error (`lint` then exits 1).
    public var hasErrors: Bool { issues.contains { $0.severity == .error } }

    /// Checks the objects of `state`. `inspector` parses certificates (nil: TLS Secrets are only checked for
    /// presence); `now` is seconds since 1970.
    public init(
        state: ClusterState, options: RoutingOptions, controller: ControllerIdentity?, inspector: (any CertificateInspector)?, now: Int
    ) {
        let snapshot = SnapshotBuilder(state: state, options: options, inspector: inspector, now: now).build(version: 1)
        let access = ControllerPolicyAccess(state: state, controller: controller)
        var issues = snapshot.issues
        issues += SnapshotLint.endpointIssues(snapshot, state: state)
        issues += SnapshotLint.expiringCertificates(snapshot, now: now)
        issues += access.engine.issues
        issues += Self.policyIssues(snapshot, access: access)
        self.issues = Array(Set(issues)).sorted()
    }

    /// Problems reaching backends through NetworkPolicy: one error per route with endpoints the controller may not
    /// reach; one warning per route whose endpoints cannot be checked; a single warning when the controller's
    /// identity is unknown while policies exist.
    static func policyIssues(_ snapshot: RoutingSnapshot, access: ControllerPolicyAccess) -> [ConfigIssue] {
        guard access.hasPolicies else { return [] }
        guard access.controllerPod != nil else {
            return [
                ConfigIssue(
                    object: ObjectRef(kind: "Controller", namespace: nil, name: "controller"), field: "",
                    message:
                        "NetworkPolicies exist but the controller's namespace and labels are unknown, so they were not checked against it: pass --controller-namespace and --controller-labels, or include the controller's Deployment",
                    severity: .warning)
            ]
        }
        var issues: [ConfigIssue] = []
        var seen: Set<RouteSource> = []
        var answers: [Endpoint: EndpointAccess] = [:]
        for route in allRoutes(snapshot.routeTable) where seen.insert(route.source).inserted {
            guard case .cluster(let index) = route.backend else { continue }
            let cluster = snapshot.clusters[index]
            var blocked: [(Endpoint, EndpointAccess)] = []
            var unknown: [(Endpoint, EndpointAccess)] = []
            for endpoint in cluster.endpoints {
                let answer = answers[endpoint] ?? access.access(to: endpoint, of: cluster.id)
                answers[endpoint] = answer
                if answer.outcome == .blocked { blocked.append((endpoint, answer)) }
                if answer.outcome == .unknown { unknown.append((endpoint, answer)) }
            }
            let field = route.source.field == "spec.defaultBackend" ? route.source.field : route.source.field + ".backend"
            let controller = access.controllerPod?.description ?? "?"
            if let (_, first) = blocked.first {
                let names = blocked.map { endpoint, _ in endpoint.pod.map { "Pod \($0) \(endpoint)" } ?? "\(endpoint)" }
                issues.append(
                    ConfigIssue(
                        object: route.source.ingress, field: field,
                        message:
                            "NetworkPolicy blocks the controller (\(controller)) from \(blocked.count) of \(cluster.endpoints.count) endpoints of Service \(cluster.id) (\(names.joined(separator: ", "))): \(first.reason); requests sent there time out (504) until a policy admits the controller"
                    ))
            }
            if let (_, first) = unknown.first {
                issues.append(
                    ConfigIssue(
                        object: route.source.ingress, field: field,
                        message:
                            "NetworkPolicy not checked for \(unknown.count) of \(cluster.endpoints.count) endpoints of Service \(cluster.id): \(first.reason)",
                        severity: .warning))
            }
        }
        return issues
    }

    /// Every route of the table: per host its Exact and ordered routes and its fallback, then the default route.
    static func allRoutes(_ table: RouteTable) -> [Route] {
        var hosts = table.exactHosts.sorted { $0.key < $1.key }.map(\.value)
        hosts += table.wildcardHosts.sorted { $0.key < $1.key }.map(\.value)
        if let any = table.anyHost { hosts.append(any) }
        var routes: [Route] = []
        for host in hosts {
            routes += host.exact.keys.sorted().compactMap { host.exact[$0] }
            routes += host.ordered
            if let fallback = host.fallback { routes.append(fallback) }
        }
        if let route = table.defaultRoute { routes.append(route) }
        return routes
    }

    /// One line per problem: `namespace/name: field.path: message`, warnings suffixed ` (warning)`.
    public var text: String {
        issues.map { $0.severity == .error ? "\($0)\n" : "\($0) (warning)\n" }.joined()
    }

    /// The problems as a JSON array of `{kind, namespace, name, object, field, message, severity}`.
    public var json: String {
        let entries: [[String: Any]] = issues.map { issue in
            var entry: [String: Any] = [
                "kind": issue.object.kind, "name": issue.object.name, "object": issue.object.description, "field": issue.field,
                "message": issue.message, "severity": issue.severity.rawValue,
            ]
            if let namespace = issue.object.namespace { entry["namespace"] = namespace }
            return entry
        }
        return entries.isEmpty ? "[]\n" : SnapshotDescription.json(entries)
    }
}
