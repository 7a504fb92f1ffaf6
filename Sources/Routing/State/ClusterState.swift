import KubeModel

/// Every object the controller knows, indexed for the snapshot builder. A plain value: providers build it,
/// the builder reads it; nothing here does I/O.
public struct ClusterState: Sendable, Equatable {
    /// Ingresses by namespace/name.
    public private(set) var ingresses = ObjectTable<Ingress>()
    /// IngressClasses by name.
    public private(set) var ingressClasses: [String: IngressClass] = [:]
    /// Services by namespace/name.
    public private(set) var services = ObjectTable<Service>()
    /// EndpointSlices grouped by the namespace/name of their Service (`kubernetes.io/service-name`), each group
    /// ordered by slice name. Built on each call (for listings; the builder asks ``endpointSlices(namespace:service:)``).
    public var endpointSlicesByService: [ObjectRef: [EndpointSlice]] {
        sliceObjectsByService.mapValues { $0.compactMap(EndpointSlice.init(unwrapping:)) }
    }
    /// The Services that have EndpointSlices.
    public var servicesWithEndpointSlices: Dictionary<ObjectRef, [KubeObject]>.Keys { sliceObjectsByService.keys }
    /// ``endpointSlicesByService`` as kept: each slice as its admitted box (8 bytes, not a copy of the slice).
    private var sliceObjectsByService: [ObjectRef: [KubeObject]] = [:]
    /// Secrets by namespace/name.
    public private(set) var secrets = ObjectTable<Secret>()
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
    /// Which Ingresses, Services, EndpointSlices and Secrets were inserted or removed, for incremental builds.
    public private(set) var journal = ChangeJournal()

    /// An empty state.
    public init() {}

    /// A state holding the given objects; a later object with the same identity replaces an earlier one.
    public init(objects: some Sequence<KubeObject>, admissionIssues: [ConfigIssue] = []) {
        for object in objects { insert(object) }
        self.admissionIssues = admissionIssues
    }

    /// Drops the journal's entries before its latest (see ``ChangeJournal``): the state a builder saw last stays
    /// findable, and an admission's changes start from there instead of piling up behind every earlier one.
    mutating func forgetEarlierChanges() {
        journal.forgetEarlierChanges()
    }

    /// Drops the journal's entries so that every builder starts over (see ``ChangeJournal/forgetAllChanges()``).
    mutating func forgetAllChanges() {
        journal.forgetAllChanges()
    }

    /// Adds or replaces one object.
    public mutating func insert(_ object: KubeObject) {
        let ref = object.ref
        switch object {
        case .ingress:
            ingresses.set(object, for: ref)
            journal.record(.ingress(ref))
        case .ingressClass(let value): ingressClasses[ref.name] = value
        case .service:
            services.set(object, for: ref)
            journal.record(.service(ref))
        case .endpointSlice(let value):
            editSlices(of: value, namespace: ref.namespace) { slices, index, found in
                if found { slices[index] = object } else { slices.insert(object, at: index) }
            }
        case .secret:
            secrets.set(object, for: ref)
            journal.record(.secret(ref))
        case .namespace(let value): namespaces[ref.name] = value
        case .pod(let value): pods[ref] = value
        case .networkPolicy(let value): networkPolicies[ref] = value
        case .deployment(let value): deployments[ref] = value
        }
    }

    /// Removes one object (found by its identity; an EndpointSlice by its Service and name).
    public mutating func remove(_ object: KubeObject) {
        let ref = object.ref
        switch object {
        case .ingress:
            ingresses.remove(ref)
            journal.record(.ingress(ref))
        case .ingressClass: ingressClasses[ref.name] = nil
        case .service:
            services.remove(ref)
            journal.record(.service(ref))
        case .endpointSlice(let value):
            editSlices(of: value, namespace: ref.namespace) { slices, index, found in
                if found { slices.remove(at: index) }
            }
        case .secret:
            secrets.remove(ref)
            journal.record(.secret(ref))
        case .namespace: namespaces[ref.name] = nil
        case .pod: pods[ref] = nil
        case .networkPolicy: networkPolicies[ref] = nil
        case .deployment: deployments[ref] = nil
        }
    }

    /// Edits the name-ordered slices of `slice`'s Service in place: `edit` gets them, the index where `slice`'s
    /// name is or belongs, and whether a slice of that name is there. A Service left without slices loses its entry.
    private mutating func editSlices(
        of slice: EndpointSlice, namespace: String?, _ edit: (inout [KubeObject], _ index: Int, _ found: Bool) -> Void
    ) {
        guard let serviceName = slice.serviceName else { return }
        let key = ObjectRef(kind: "Service", namespace: namespace, name: serviceName)
        journal.record(.endpointSlices(key))
        let name = slice.metadata.name ?? ""
        var slices = sliceObjectsByService.removeValue(forKey: key) ?? []  // unshared while edited
        let index = Self.sliceIndex(of: name, in: slices)
        edit(&slices, index, index < slices.count && (slices[index].metadata.name ?? "") == name)
        if !slices.isEmpty { sliceObjectsByService[key] = slices }
    }

    /// Where a slice named `name` is, or belongs, in slices ordered by name.
    private static func sliceIndex(of name: String, in slices: [KubeObject]) -> Int {
        var low = 0
        var high = slices.count
        while low < high {
            let middle = (low + high) / 2
            if (slices[middle].metadata.name ?? "") < name { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The Service `name` in `namespace`.
    public func service(namespace: String, name: String) -> Service? {
        services[ObjectRef(kind: "Service", namespace: namespace, name: name)]
    }

    /// The EndpointSlices of the Service `name` in `namespace`, ordered by slice name.
    public func endpointSlices(namespace: String, service name: String) -> [EndpointSlice] {
        let slices = sliceObjectsByService[ObjectRef(kind: "Service", namespace: namespace, name: name)] ?? []
        return slices.compactMap(EndpointSlice.init(unwrapping:))
    }

    /// The Secret `name` in `namespace`.
    public func secret(namespace: String, name: String) -> Secret? {
        secrets[ObjectRef(kind: "Secret", namespace: namespace, name: name)]
    }
}
