import KubeModel

/// Resolves Ingress backends to clusters: Service → Service port (by number or name) → ready endpoints from the
/// Service's EndpointSlices (ports matched by name). Collects each cluster once per snapshot. A cluster depends only
/// on its ``ClusterID`` and the objects (the Service port it names is the first one with that number, TCP first),
/// not on which backend asked first, so an incremental build can keep it.
struct BackendResolver {
    let state: ClusterState
    private(set) var clusters: [Cluster] = []
    /// How many clusters at the start of ``clusters`` are in ascending ``ClusterID`` order: those are found by
    /// binary search, with no table (one of 10,000 clusters is 0.8 MB, made again by every build).
    private var sortedCount: Int
    /// The index of each cluster after the sorted ones.
    private var indexByID: [ClusterID: Int] = [:]

    /// A resolver that knows `clusters` already (by their index), as a previous build numbered them: in ascending
    /// ``ClusterID`` order.
    init(state: ClusterState, clusters: [Cluster] = []) {
        assert(zip(clusters, clusters.dropFirst()).allSatisfy { $0.id < $1.id }, "clusters not in ID order")
        self.state = state
        self.clusters = clusters
        sortedCount = clusters.count
    }

    /// The index of the cluster `id` in ``clusters``; nil when it is not collected.
    private func index(of id: ClusterID) -> Int? {
        var low = 0
        var high = sortedCount
        while low < high {
            let middle = (low + high) / 2
            if clusters[middle].id < id { low = middle + 1 } else { high = middle }
        }
        if low < sortedCount && clusters[low].id == id { return low }
        return indexByID.isEmpty ? nil : indexByID[id]
    }

    /// Builds the known clusters of `services` again from the current objects (their Service or EndpointSlices
    /// changed). A cluster whose Service or port is gone keeps its old value: no backend resolves to it any more.
    mutating func refreshClusters(of services: Set<ObjectRef>) {
        for index in clusters.indices {
            let id = clusters[index].id
            guard services.contains(ObjectRef(kind: "Service", namespace: id.namespace, name: id.service)),
                let service = state.service(namespace: id.namespace, name: id.service),
                let servicePort = Self.port(id.port, of: service)
            else { continue }
            clusters[index] = makeCluster(id: id, service: service, servicePort: servicePort)
        }
    }

    /// The Service port a cluster on port `number` uses: the first with that number and protocol TCP, else the first
    /// with that number.
    static func port(_ number: Int, of service: Service) -> ServicePort? {
        let ports = (service.spec?.ports ?? []).filter { $0.port == number }
        return ports.first { ($0.protocol ?? "TCP") == "TCP" } ?? ports.first
    }

    /// The backend for `backend` of an Ingress in `namespace`, plus issues at `field`.
    mutating func resolve(_ backend: IngressBackend, namespace: String, field: String, ingress: ObjectRef) -> (RouteBackend, [ConfigIssue])
    {
        switch lookUp(backend, namespace: namespace, field: field, ingress: ingress) {
        case .failure(let failure):
            return (failure.backend, failure.issues)
        case .success(let (id, service)):
            if let index = index(of: id) { return (.cluster(index), []) }
            append(id: id, service: service)
            return (.cluster(clusters.count - 1), [])
        }
    }

    /// The cluster a backend resolves to, when it does (nothing is collected).
    func clusterID(of backend: IngressBackend, namespace: String) -> ClusterID? {
        if case .success(let (id, _)) = lookUp(
            backend, namespace: namespace, field: "", ingress: ObjectRef(kind: "", namespace: nil, name: ""))
        {
            return id
        }
        return nil
    }

    /// Collects the clusters of `ids` (unknown ones only) in that order.
    mutating func collect(_ ids: [ClusterID]) {
        clusters.reserveCapacity(clusters.count + ids.count)  // kept by the builder: no room grown by doubling
        for id in ids where index(of: id) == nil {
            if let service = state.service(namespace: id.namespace, name: id.service) { append(id: id, service: service) }
        }
    }

    /// Adds the cluster `id` of `service` at the end.
    private mutating func append(id: ClusterID, service: Service) {
        guard let servicePort = Self.port(id.port, of: service) else { return }
        if sortedCount == clusters.count && (clusters.last.map { $0.id < id } ?? true) {
            sortedCount += 1
        } else {
            indexByID[id] = clusters.count
        }
        clusters.append(makeCluster(id: id, service: service, servicePort: servicePort))
    }

    /// Why a backend resolves to no cluster: the route's backend and the issues.
    struct Unresolved: Error {
        let backend: RouteBackend
        let issues: [ConfigIssue]

        init(_ backend: RouteBackend, _ issue: ConfigIssue) {
            self.backend = backend
            self.issues = [issue]
        }
    }

    /// Finds the Service and the port number a backend names.
    private func lookUp(_ backend: IngressBackend, namespace: String, field: String, ingress: ObjectRef) -> Result<
        (ClusterID, Service), Unresolved
    > {
        guard let serviceBackend = backend.service else {
            let kind = backend.resource?.kind ?? "resource"
            return .failure(
                Unresolved(
                    .unavailable(status: 503, reason: "\(kind) backends are not supported"),
                    ConfigIssue(
                        object: ingress, field: field + ".resource",
                        message: "resource backends (\(kind)) are not supported by Gatehouse; requests get 503", severity: .warning)
                ))
        }
        let name = serviceBackend.name ?? ""
        let serviceField = field + ".service"
        guard let service = state.service(namespace: namespace, name: name) else {
            return .failure(
                Unresolved(
                    .unavailable(status: 503, reason: "Service \(namespace)/\(name) not found"),
                    ConfigIssue(
                        object: ingress, field: serviceField + ".name",
                        message: "Service \"\(name)\" not found in namespace \"\(namespace)\"; requests get 503", severity: .warning)
                ))
        }
        let ports = service.spec?.ports ?? []
        let wanted = serviceBackend.port
        let found: ServicePort?
        let portText: String
        if let number = wanted?.number, number != 0 {
            found = ports.first { $0.port == number }
            portText = String(number)
        } else {
            let portName = wanted?.name ?? ""
            found = ports.first { ($0.name ?? "") == portName }
            portText = "\"\(portName)\""
        }
        guard let portNumber = found?.port else {
            let fieldName = wanted?.number != nil && wanted?.number != 0 ? ".port.number" : ".port.name"
            return .failure(
                Unresolved(
                    .unavailable(status: 503, reason: "Service \(namespace)/\(name) has no port \(portText)"),
                    ConfigIssue(
                        object: ingress, field: serviceField + fieldName,
                        message: "Service \"\(name)\" has no port \(portText); requests get 503", severity: .warning)
                ))
        }
        return .success((ClusterID(namespace: namespace, service: name, port: portNumber), service))
    }

    /// Builds a cluster's endpoint list: ExternalName host, else EndpointSlices, else (standalone convenience)
    /// the Pods the Service selects when no EndpointSlice exists for it.
    private func makeCluster(id: ClusterID, service: Service, servicePort: ServicePort) -> Cluster {
        if service.spec?.type == "ExternalName", let externalName = service.spec?.externalName {
            let port: Int
            if case .int(let target) = servicePort.targetPort { port = target } else { port = id.port }
            return Cluster(
                id: id, portName: servicePort.name, allEndpoints: [Endpoint(host: externalName, port: port)], endpointSource: "ExternalName"
            )
        }
        let slices = state.endpointSlices(namespace: id.namespace, service: id.service)
        if !slices.isEmpty {
            var endpoints: [Endpoint] = []
            var seen: Set<EndpointKey> = []
            let wantedName = servicePort.name ?? ""
            for slice in slices {
                guard let slicePort = (slice.ports ?? []).first(where: { ($0.name ?? "") == wantedName }), let port = slicePort.port else {
                    continue
                }
                for endpoint in slice.endpoints ?? [] {
                    guard let address = endpoint.addresses?.first else { continue }
                    guard seen.insert(EndpointKey(address: address, port: port)).inserted else { continue }
                    let pod = endpoint.targetRef.flatMap { ref -> ObjectRef? in
                        guard ref.kind == nil || ref.kind == "Pod", let podName = ref.name else { return nil }
                        return ObjectRef(kind: "Pod", namespace: ref.namespace ?? id.namespace, name: podName)
                    }
                    endpoints.append(Endpoint(host: address, port: port, ready: endpoint.conditions?.ready != false, pod: pod))
                }
            }
            return Cluster(id: id, portName: servicePort.name, allEndpoints: endpoints, endpointSource: "EndpointSlice")
        }
        guard let selector = service.spec?.selector, !selector.isEmpty else {
            return Cluster(id: id, portName: servicePort.name, allEndpoints: [], endpointSource: "none")
        }
        var endpoints: [Endpoint] = []
        let pods = state.pods.filter { $0.key.namespace == id.namespace }.sorted { $0.key < $1.key }
        for (ref, pod) in pods where LabelSelector(matchLabels: selector).matches(pod.metadata.labels) {
            guard let address = pod.addresses.first, let port = targetPort(servicePort, on: pod) else { continue }
            endpoints.append(Endpoint(host: address, port: port, ready: pod.isReady, pod: ref))
        }
        return Cluster(id: id, portName: servicePort.name, allEndpoints: endpoints, endpointSource: "Pod")
    }

    /// The Pod port a Service port targets: a number, a named container port, or the Service port itself.
    private func targetPort(_ servicePort: ServicePort, on pod: Pod) -> Int? {
        switch servicePort.targetPort {
        case .int(let number): return number
        case .string(let name):
            let protocolName = servicePort.protocol ?? "TCP"
            for container in pod.spec?.containers ?? [] {
                for port in container.ports ?? [] where port.name == name && (port.protocol ?? "TCP") == protocolName {
                    return port.containerPort
                }
            }
            return nil
        case nil: return servicePort.port
        }
    }
}

/// An endpoint's address and port, to list each once.
private struct EndpointKey: Hashable {
    let address: String
    let port: Int
}
