import KubeModel

/// One end of a connection: a Pod named by namespace and name, or an IP address (outside the cluster, or a Pod's IP).
///
/// As text (and in JSON) a Pod is `namespace/name`; an address is an IPv4 or IPv6 literal (in JSON `{"ip": "…"}`,
/// a plain string literal is accepted too).
public enum PolicyEndpoint: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A Pod.
    case pod(namespace: String, name: String)
    /// An IP address; when it is a known Pod's IP the engine treats it as that Pod.
    case ip(IPAddress)

    /// Parses `namespace/name` or an IP literal; nil for anything else (a bare name is ambiguous).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty {
            self = .pod(namespace: String(parts[0]), name: String(parts[1]))
        } else if parts.count == 1, let address = IPAddress(text) {
            self = .ip(address)
        } else {
            return nil
        }
    }

    /// `namespace/name` or the address.
    public var description: String {
        switch self {
        case .pod(let namespace, let name): "\(namespace)/\(name)"
        case .ip(let address): address.description
        }
    }

    /// The keys of the object form.
    enum CodingKeys: String, CodingKey {
        case ip
        case pod
    }

    /// Decodes `"namespace/name"`, `"<ip>"`, `{"ip": "<ip>"}` or `{"pod": "namespace/name"}`.
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let text = try? container.decode(String.self) {
            guard let value = PolicyEndpoint(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected \"namespace/pod\" or an IP address, got \"\(text)\"")
            }
            self = value
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .ip) {
            guard let address = IPAddress(text) else {
                throw DecodingError.dataCorruptedError(forKey: .ip, in: container, debugDescription: "not an IP address: \"\(text)\"")
            }
            self = .ip(address)
        } else {
            let text = try container.decode(String.self, forKey: .pod)
            guard let value = PolicyEndpoint(text), case .pod = value else {
                throw DecodingError.dataCorruptedError(
                    forKey: .pod, in: container, debugDescription: "expected \"namespace/pod\", got \"\(text)\"")
            }
            self = value
        }
    }

    /// Encodes a Pod as `"namespace/name"` and an address as `{"ip": "<ip>"}` (the `policy check` query form).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .pod:
            var container = encoder.singleValueContainer()
            try container.encode(description)
        case .ip(let address):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(address.description, forKey: .ip)
        }
    }
}
