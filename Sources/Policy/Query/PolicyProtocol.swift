/// The transport protocol of a connection, as NetworkPolicy ports name it.
public enum PolicyProtocol: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// TCP, the default when a port or a query names no protocol.
    case tcp = "TCP"
    /// UDP.
    case udp = "UDP"
    /// SCTP.
    case sctp = "SCTP"

    /// Parses `TCP`, `UDP` or `SCTP` in any letter case; nil for anything else.
    public init?(name: String) {
        self.init(rawValue: name.uppercased())
    }

    /// Decodes a protocol name in any letter case.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = PolicyProtocol(name: name) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unsupported protocol \"\(name)\": expected TCP, UDP or SCTP")
        }
        self = value
    }

    /// `TCP`, `UDP` or `SCTP`.
    public var description: String { rawValue }
}
