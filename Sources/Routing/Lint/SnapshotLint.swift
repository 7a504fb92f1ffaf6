import KubeModel

/// Checks of a built snapshot that the builder does not report as issues because nothing is wrong with the objects
/// themselves, yet requests will fail: backends with no ready endpoint, certificates about to expire.
public enum SnapshotLint {
    /// One warning per Service port that routes send requests to but that has no ready endpoint (requests get 503).
    public static func endpointIssues(_ snapshot: RoutingSnapshot, state: ClusterState) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        for cluster in snapshot.clusters where cluster.endpoints.isEmpty && cluster.endpointSource != "ExternalName" {
            let ref = ObjectRef(kind: "Service", namespace: cluster.id.namespace, name: cluster.id.service)
            let service = state.service(namespace: cluster.id.namespace, name: cluster.id.service)
            let index = (service?.spec?.ports ?? []).firstIndex { $0.port == cluster.id.port }
            let field = index.map { "spec.ports[\($0)]" } ?? ""
            let reason: String
            switch cluster.endpointSource {
            case "EndpointSlice" where !cluster.allEndpoints.isEmpty:
                reason = "no ready endpoint: all \(cluster.allEndpoints.count) endpoints in its EndpointSlices are not ready"
            case "EndpointSlice":
                reason = "no endpoint: its EndpointSlices list none for this port"
            case "Pod" where !cluster.allEndpoints.isEmpty:
                reason = "no ready endpoint: the \(cluster.allEndpoints.count) Pods its selector picks are not Ready"
            case "Pod":
                reason = "no endpoint: no EndpointSlice, and no Pod in the manifests with an IP matches spec.selector"
            default:
                reason = "no endpoint: no EndpointSlice and no spec.selector"
            }
            issues.append(
                ConfigIssue(
                    object: ref, field: field, message: "port \(cluster.id.port): \(reason); requests routed to it get 503",
                    severity: .warning))
        }
        return issues
    }

    /// One warning per certificate Secret in the TLS table that expires within `window` seconds of `now`.
    public static func expiringCertificates(_ snapshot: RoutingSnapshot, now: Int, within window: Int = 30 * 86_400) -> [ConfigIssue] {
        var certificates: [ObjectRef: CertificateFacts] = [:]
        let table = snapshot.tls
        for certificate in Array(table.exact.values) + Array(table.wildcard.values) + [table.defaultCertificate].compactMap({ $0 }) {
            if let facts = certificate.facts { certificates[certificate.secret] = facts }
        }
        var issues: [ConfigIssue] = []
        for (ref, facts) in certificates where facts.notAfter >= now && facts.notAfter - now < window {
            let days = (facts.notAfter - now) / 86_400
            issues.append(
                ConfigIssue(
                    object: ref, field: "data[tls.crt]",
                    message:
                        "the certificate expires at \(CivilTime(epochSeconds: facts.notAfter).rfc3339), in \(days) day\(days == 1 ? "" : "s")",
                    severity: .warning))
        }
        return issues.sorted()
    }
}
