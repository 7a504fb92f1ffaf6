import ArgumentParser
import Foundation
import KubeModel
import Routing

/// `--output text|json` of the diagnostic commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Lines for people.
    case text
    /// The same as data.
    case json
}

/// Who the controller's Pods are, for NetworkPolicy checks (`explain`, `lint`).
struct ControllerFlags: ParsableArguments {
    @Option(
        name: .customLong("controller-namespace"),
        help: "The namespace of the controller's Pods (default: from its Deployment in the manifests).")
    var namespace: String?

    @Option(
        name: .customLong("controller-labels"),
        help: "The labels of the controller's Pods, key=value,... (default: from its Deployment in the manifests).")
    var labels: String?

    func validate() throws {
        if let labels, ControllerIdentity.parseLabels(labels) == nil {
            throw ValidationError("--controller-labels: expected key=value pairs separated by commas, got \"\(labels)\"")
        }
    }

    /// The controller's identity: these flags, else its Deployment in `state`.
    func identity(in state: ClusterState) -> ControllerIdentity? {
        ControllerIdentity.resolve(in: state, namespace: namespace, labels: labels.flatMap(ControllerIdentity.parseLabels))
    }
}

/// `--manifests` alone, for commands that do not route (`policy`).
struct ManifestFlags: ParsableArguments {
    @Option(name: .customLong("manifests"), parsing: .upToNextOption, help: "Manifest files or directories (YAML or JSON, multi-document).")
    var manifests: [String] = []

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("--manifests needs at least one file or directory") }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Seconds since 1970, now.
func currentEpochSeconds() -> Int {
    Int(Date().timeIntervalSince1970)
}
