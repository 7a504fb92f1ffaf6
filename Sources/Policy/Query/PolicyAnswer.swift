/// The answer to one ``PolicyQuery`` of a batch: the verdict, or why there is none.
/// Encodes as the query with `allowed` and `reason` added (plus the structured `egress`/`ingress`), or with `error`.
public enum PolicyAnswer: Hashable, Sendable, Encodable, CustomStringConvertible {
    /// The engine decided.
    case verdict(PolicyVerdict)
    /// The query could not be answered (unknown Pod, invalid port).
    case failure(PolicyQuery, PolicyQueryError)

    /// Whether the connection is allowed; nil for a failure.
    public var allowed: Bool? {
        switch self {
        case .verdict(let verdict): verdict.allowed
        case .failure: nil
        }
    }

    /// The JSON keys of a failure.
    enum CodingKeys: String, CodingKey {
        case from, to, port, error
        case `protocol`
    }

    /// Encodes the verdict, or the query plus `error`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .verdict(let verdict):
            try verdict.encode(to: encoder)
        case .failure(let query, let error):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(query.from, forKey: .from)
            try container.encode(query.to, forKey: .to)
            try container.encode(query.port, forKey: .port)
            try container.encode(query.protocol, forKey: .protocol)
            try container.encode(error.description, forKey: .error)
        }
    }

    /// The verdict's one-line summary, or the query and the error.
    public var description: String {
        switch self {
        case .verdict(let verdict): verdict.summary
        case .failure(let query, let error): "\(query.from) -> \(query.to) \(query.protocol)/\(query.port): error: \(error)"
        }
    }
}
