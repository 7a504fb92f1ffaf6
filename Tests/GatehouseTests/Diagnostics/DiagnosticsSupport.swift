import ControlPlane
import Foundation
import Gatehouse
import KubeModel
import Routing

/// Loading the repository's examples and inline manifests for the diagnostics tests.
enum DiagnosticsSupport {
    /// The repository root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A fixed clock for reproducible output: 2026-01-01T00:00:00Z.
    static let now = 1_767_225_600

    /// The routing options of `serve`'s defaults.
    static let routing = RoutingOptions(ingressClasses: ["gatehouse", "nginx"])

    /// The objects of repository-relative paths, loaded as the CLI loads them.
    static func load(_ paths: [String]) -> ClusterState {
        FileProvider.load(paths: paths.map { repository.appendingPathComponent($0).path }).1
    }

    /// The objects of inline manifests, admitted.
    static func state(_ yaml: String) -> ClusterState {
        var store = ManifestStore()
        store.update(path: "test.yaml", text: yaml)
        return store.admit(now: "2026-01-01T00:00:00Z")
    }
}
