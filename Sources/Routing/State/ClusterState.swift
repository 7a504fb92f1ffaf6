import KubeModel

/// Every object the controller knows, indexed for the snapshot builder. A plain value: providers build it,
/// the builder reads it; nothing here does I/O.
public struct ClusterState: Sendable {
    /// Ingresses by namespace/name.
    public private(set) var ingresses: [ObjectRef: Ingress] = [:]
    /// IngressClasses by name.
    public private(set) var ingressClasses: [String: IngressClass] = [:]
    /// Services by namespace/name.
    public private(set) var services: [ObjectRef: Service] = [:]
    /// EndpointSlices grouped by the namespace/name of their Service (`kubernetes.io/service-name`).
    public private(set) var endpointSlicesByService: [ObjectRef: [EndpointSlice]] = [:]
    /// Secrets by namespace/name.
    public private(set) var secrets: [ObjectRef: Secret] = [:]
    /// Namespaces by name.
    public private(set) var namespaces: [String: Namespace] = [:]
    /// Pods by namespace/name.
    public private(set) var pods: [ObjectRef: Pod] = [:]
    /// NetworkPolicies by namespace/name.
    public private(set) var networkPolicies: [ObjectRef: NetworkPolicy] = [:]
    /// Deployments by namespace/name.
    public private(set) var deployments: [ObjectRef: Deployment] = [:]
    /// Problems found before the builder ran (decoding, admission), reported with the snapshot's.
    public var admissionIssues: [ConfigIssue] = []

    /// An empty state.
    public init() {}

    /// A state holding the given objects; a later object with the same identity replaces an earlier one.
    public init(objects: some Sequence<KubeObject>, admissionIssues: [ConfigIssue] = []) {
        for object in objects { insert(object) }
        self.admissionIssues = admissionIssues
    }

    /// Adds or replaces one object.
    public mutating func insert(_ object: KubeObject) {
        let ref = object.ref
        switch object {
        case .ingress(let value): ingresses[ref] = value
        case .ingressClass(let value): ingressClasses[ref.name] = value
        case .service(let value): services[ref] = value
        case .endpointSlice(let value):
            guard let serviceName = value.serviceName else { return }
            let key = ObjectRef(kind: "Service", namespace: ref.namespace, name: serviceName)
            endpointSlicesByService[key, default: []].removeAll { $0.metadata.name == value.metadata.name }
            endpointSlicesByService[key, default: []].append(value)
        case .secret(let value): secrets[ref] = value
        case .namespace(let value): namespaces[ref.name] = value
        case .pod(let value): pods[ref] = value
        case .networkPolicy(let value): networkPolicies[ref] = value
        case .deployment(let value): deployments[ref] = value
        }
    }

    /// The Service `name` in `namespace`.
    public func service(namespace: String, name: String) -> Service? {
        services[ObjectRef(kind: "Service", namespace: namespace, name: name)]
    }

    /// The EndpointSlices of the Service `name` in `namespace`, ordered by slice name.
    public func endpointSlices(namespace: String, service name: String) -> [EndpointSlice] {
        (endpointSlicesByService[ObjectRef(kind: "Service", namespace: namespace, name: name)] ?? [])
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    /// The Secret `name` in `namespace`.
    public func secret(namespace: String, name: String) -> Secret? {
        secrets[ObjectRef(kind: "Secret", namespace: namespace, name: name)]
    }
}
