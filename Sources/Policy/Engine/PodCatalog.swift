import KubeModel

/// The Pods and Namespaces the engine knows, indexed for selector evaluation and query resolution.
/// Pods are sorted by namespace, then name; an index into ``pods`` identifies a Pod everywhere in the engine.
struct PodCatalog: Sendable {
    /// The label every namespace carries automatically: `kubernetes.io/metadata.name=<name>`.
    static let namespaceNameLabel = "kubernetes.io/metadata.name"

    /// The Pods, sorted by namespace then name.
    let pods: [PodRecord]
    /// `namespace/name` → index.
    let indexByKey: [String: Int]
    /// Pod address → index (the first Pod, in sorted order, with that address).
    let indexByAddress: [IPAddress: Int]
    /// Namespace → indices of its Pods.
    let indicesByNamespace: [String: [Int]]
    /// Namespace → labels, including the automatic name label; namespaces only referenced by Pods have just that label.
    let namespaceLabels: [String: [String: String]]
    /// Duplicate Pods that were dropped and similar problems.
    let issues: [ConfigIssue]

    /// Indexes Pods (the first of duplicates wins) and Namespaces.
    init(pods rawPods: [Pod], namespaces: [Namespace]) {
        var issues: [ConfigIssue] = []
        var seen: Set<String> = []
        var records: [PodRecord] = []
        for pod in rawPods {
            let record = PodRecord(pod)
            let ref = ObjectRef(kind: "Pod", namespace: record.namespace, name: record.name)
            guard seen.insert(record.key).inserted else {
                issues.append(
                    ConfigIssue(object: ref, field: "metadata.name", message: "duplicate Pod: the first one is used", severity: .warning))
                continue
            }
            if record.addresses.count != pod.addresses.count {
                issues.append(
                    ConfigIssue(
                        object: ref, field: "status.podIPs", message: "an address is not an IP: ipBlock peers ignore it", severity: .warning
                    ))
            }
            records.append(record)
        }
        records.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        var byKey: [String: Int] = [:]
        var byAddress: [IPAddress: Int] = [:]
        var byNamespace: [String: [Int]] = [:]
        for (index, record) in records.enumerated() {
            byKey[record.key] = index
            for address in record.addresses where byAddress[address] == nil { byAddress[address] = index }
            byNamespace[record.namespace, default: []].append(index)
        }
        var labels: [String: [String: String]] = [:]
        for namespace in namespaces {
            let name = namespace.metadata.nameOrEmpty
            var values = namespace.metadata.labels ?? [:]
            values[Self.namespaceNameLabel] = name
            labels[name] = values
        }
        for name in byNamespace.keys where labels[name] == nil { labels[name] = [Self.namespaceNameLabel: name] }
        pods = records
        indexByKey = byKey
        indexByAddress = byAddress
        indicesByNamespace = byNamespace
        namespaceLabels = labels
        self.issues = issues
    }

    /// The Pods of the namespaces whose labels match `namespaceSelector` (or of `namespace` when nil)
    /// whose own labels match `podSelector` (nil matches every Pod).
    func select(podSelector: LabelSelector?, namespaceSelector: LabelSelector?, in namespace: String) -> PodSet {
        var set = PodSet(capacity: pods.count)
        let namespaces: [String] =
            if let namespaceSelector {
                namespaceLabels.filter { namespaceSelector.matches($0.value) }.map(\.key)
            } else {
                [namespace]
            }
        for name in namespaces {
            for index in indicesByNamespace[name] ?? [] where podSelector?.matches(pods[index].labels) ?? true {
                set.insert(index)
            }
        }
        return set
    }
}
