import KubeModel

/// What the engine keeps of one Pod: identity, labels, parsed addresses and named container ports.
struct PodRecord: Sendable {
    /// A named container port (`name`, number, protocol).
    struct NamedPort: Hashable, Sendable {
        /// The port's IANA name.
        var name: String
        /// The container port number.
        var number: Int
        /// The port's protocol (TCP when the container port names none).
        var `protocol`: PolicyProtocol
    }

    /// The Pod's namespace.
    let namespace: String
    /// The Pod's name.
    let name: String
    /// `namespace/name`.
    let key: String
    /// The Pod's labels.
    let labels: [String: String]
    /// The Pod's addresses that parse (`status.podIPs`, else `status.podIP`).
    let addresses: [IPAddress]
    /// Every named port of every container.
    let namedPorts: [NamedPort]

    /// Extracts the record from a Pod.
    init(_ pod: Pod) {
        namespace = pod.metadata.namespaceOrDefault
        name = pod.metadata.nameOrEmpty
        key = "\(namespace)/\(name)"
        labels = pod.metadata.labels ?? [:]
        addresses = pod.addresses.compactMap { IPAddress($0) }
        var ports: [NamedPort] = []
        for container in pod.spec?.containers ?? [] {
            for port in container.ports ?? [] {
                guard let portName = port.name, !portName.isEmpty, let number = port.containerPort,
                    let proto = PolicyProtocol(rawValue: port.protocol ?? "TCP")
                else { continue }
                ports.append(NamedPort(name: portName, number: number, protocol: proto))
            }
        }
        namedPorts = ports
    }

    /// Whether a container port called `portName` with this protocol has this number.
    func hasNamedPort(_ portName: String, number: Int, protocol proto: PolicyProtocol) -> Bool {
        namedPorts.contains { $0.name == portName && $0.number == number && $0.protocol == proto }
    }
}
