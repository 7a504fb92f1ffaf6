import DataPlane
import Foundation
import KubeModel
import Routing

/// The one-shot commands' wiring over loaded objects: the snapshot as `serve` would build it (certificates parsed
/// with the data plane's inspector, validity checked at `now`), then the pure explain and lint logic.
public enum Diagnostics {
    /// The snapshot `serve` would build from `state` at `now` (seconds since 1970).
    public static func snapshot(state: ClusterState, options: RoutingOptions, now: Int) -> RoutingSnapshot {
        SnapshotBuilder(state: state, options: options, inspector: X509CertificateInspector(), now: now).build(version: 1)
    }

    /// The explanation of a request to `url`, with NetworkPolicy seen from `options.controller`.
    public static func explain(state: ClusterState, options: ExplainOptions, url: String, now: Int) throws(ExplainRequest.ParseError)
        -> Explanation
    {
        let request = try ExplainRequest(url: url)
        let explainer = Explainer(
            state: state,
            snapshot: snapshot(state: state, options: options.routing, now: now),
            options: options,
            access: ControllerPolicyAccess(state: state, controller: options.controller))
        return explainer.explain(request)
    }

    /// The lint report of `state` at `now`.
    public static func lint(state: ClusterState, options: RoutingOptions, controller: ControllerIdentity?, now: Int) -> LintReport {
        LintReport(state: state, options: options, controller: controller, inspector: X509CertificateInspector(), now: now)
    }

    /// An explanation as pretty, key-sorted JSON ending in a newline.
    public static func json(_ explanation: Explanation) -> String {
        PolicyReport.encode(explanation)
    }
}
