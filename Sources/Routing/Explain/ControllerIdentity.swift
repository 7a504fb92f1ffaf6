import KubeModel

/// Who the controller's Pods are, for NetworkPolicy checks and for finding the Service in front of them: their
/// namespace and labels, from `--controller-namespace`/`--controller-labels` or from the controller's Deployment.
public struct ControllerIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The namespace the controller's Pods run in.
    public var namespace: String
    /// The labels of the controller's Pods.
    public var labels: [String: String]
    /// The Deployment the identity was read from, when it came from the manifests.
    public var deployment: ObjectRef?
    /// Where the identity came from, e.g. `Deployment gatehouse/gatehouse` or `--controller-namespace/--controller-labels`.
    public var source: String

    /// Creates an identity.
    public init(namespace: String, labels: [String: String], deployment: ObjectRef? = nil, source: String) {
        self.namespace = namespace
        self.labels = labels
        self.deployment = deployment
        self.source = source
    }

    /// `namespace gatehouse, labels app=gatehouse (from Deployment gatehouse/gatehouse)`.
    public var description: String {
        let labelText = labels.isEmpty ? "no labels" : "labels " + Self.labelText(labels)
        return "namespace \(namespace), \(labelText) (from \(source))"
    }

    /// The name used for the controller's Pod in NetworkPolicy reasons: the Deployment's name, else `gatehouse`.
    public var podName: String { deployment?.name ?? "gatehouse" }

    /// Whether a Pod is one of the controller's: in its namespace and carrying all its labels.
    public func selects(_ pod: Pod) -> Bool {
        pod.metadata.namespaceOrDefault == namespace && LabelSelector(matchLabels: labels).matches(pod.metadata.labels)
    }

    /// The controller's identity: the flags when given (each one overriding what the Deployment says), else the
    /// Deployment running Gatehouse in `state` (see ``controllerDeployment(in:)``); nil when neither exists.
    public static func resolve(in state: ClusterState, namespace: String?, labels: [String: String]?) -> ControllerIdentity? {
        let found = controllerDeployment(in: state)
        let deploymentLabels = found.flatMap { $0.1.spec?.template?.metadata?.labels }
        if namespace == nil && labels == nil {
            guard let (ref, _) = found else { return nil }
            return ControllerIdentity(
                namespace: ref.namespace ?? "default", labels: deploymentLabels ?? [:], deployment: ref, source: "Deployment \(ref)")
        }
        var flags: [String] = []
        if namespace != nil { flags.append("--controller-namespace") }
        if labels != nil { flags.append("--controller-labels") }
        let usesDeployment = found != nil && (namespace == nil || labels == nil)
        let source = flags.joined(separator: " and ") + (usesDeployment ? " with Deployment \(found?.0.description ?? "")" : "")
        return ControllerIdentity(
            namespace: namespace ?? found?.0.namespace ?? "default",
            labels: labels ?? deploymentLabels ?? [:],
            deployment: usesDeployment ? found?.0 : nil,
            source: source
        )
    }

    /// The Deployment running Gatehouse: the first (by namespace/name) with a container image naming `gatehouse`,
    /// else the first whose name contains `gatehouse`.
    public static func controllerDeployment(in state: ClusterState) -> (ObjectRef, Deployment)? {
        let sorted = state.deployments.sorted { $0.key < $1.key }
        let byImage = sorted.first { _, deployment in
            (deployment.spec?.template?.spec?.containers ?? []).contains { ($0.image ?? "").lowercased().contains("gatehouse") }
        }
        if let (ref, deployment) = byImage { return (ref, deployment) }
        return sorted.first { $0.key.name.lowercased().contains("gatehouse") }.map { ($0.key, $0.value) }
    }

    /// Parses `key=value,key2=value2` (the `--controller-labels` form); nil when an entry has no `=` or an empty key.
    public static func parseLabels(_ text: String) -> [String: String]? {
        var labels: [String: String] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            let key = parts[0].trimmingSpaces
            guard !key.isEmpty else { return nil }
            labels[String(key)] = String(parts[1].trimmingSpaces)
        }
        return labels
    }

    /// `a=1,b=2`, sorted by key.
    public static func labelText(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
