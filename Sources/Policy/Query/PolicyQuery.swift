/// One question for the engine: may `from` open a connection to `to` on `port`/`protocol`?
/// Decodes the `policy check` form `{"from": "ns/pod" | {"ip": "…"}, "to": …, "port": N, "protocol": "TCP"}`.
public struct PolicyQuery: Hashable, Sendable, Codable {
    /// The side that opens the connection.
    public var from: PolicyEndpoint
    /// The side that accepts it.
    public var to: PolicyEndpoint
    /// The destination port.
    public var port: Int
    /// The protocol; TCP when omitted.
    public var `protocol`: PolicyProtocol

    /// Creates a query.
    public init(from: PolicyEndpoint, to: PolicyEndpoint, port: Int, protocol: PolicyProtocol = .tcp) {
        self.from = from
        self.to = to
        self.port = port
        self.protocol = `protocol`
    }

    /// The JSON keys.
    enum CodingKeys: String, CodingKey {
        case from, to, port
        case `protocol`
    }

    /// Decodes a query; a missing `protocol` means TCP.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decode(PolicyEndpoint.self, forKey: .from)
        to = try container.decode(PolicyEndpoint.self, forKey: .to)
        port = try container.decode(Int.self, forKey: .port)
        `protocol` = try container.decodeIfPresent(PolicyProtocol.self, forKey: .protocol) ?? .tcp
    }
}
