/// The engine's answer to "may `from` open a connection to `to` on `port`/`protocol`?", with the reason.
///
/// A connection is allowed when the source's egress allows it AND the destination's ingress allows it. Replies on an
/// allowed connection are always allowed (policies are stateful), so the verdict is about who may *initiate*.
public struct PolicyVerdict: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Cases decided before (or instead of) looking at one of the two directions.
    public enum Note: String, Hashable, Sendable, Codable {
        /// Both ends are the same Pod: always allowed.
        case samePod
        /// The source is outside the cluster: only the destination's ingress applies.
        case externalSource
        /// The destination is outside the cluster: only the source's egress applies.
        case externalDestination
        /// Neither end is a Pod: NetworkPolicy does not apply.
        case noPod

        /// A short sentence for explanations.
        var text: String {
            switch self {
            case .samePod: "a pod may always reach itself"
            case .externalSource: "the source is outside the cluster: only the destination's ingress applies"
            case .externalDestination: "the destination is outside the cluster: only the source's egress applies"
            case .noPod: "neither end is a pod: NetworkPolicy does not apply"
            }
        }
    }

    /// The source as queried.
    public var from: PolicyEndpoint
    /// The destination as queried.
    public var to: PolicyEndpoint
    /// The source Pod (`namespace/name`); nil for an address outside the cluster.
    public var fromPod: String?
    /// The destination Pod (`namespace/name`); nil for an address outside the cluster.
    public var toPod: String?
    /// The destination port.
    public var port: Int
    /// The protocol.
    public var `protocol`: PolicyProtocol
    /// Whether the connection may be opened.
    public var allowed: Bool
    /// A special case that applied, if any.
    public var note: Note?
    /// The source Pod's egress; nil when the source is not a Pod or both ends are the same Pod.
    public var egress: DirectionVerdict?
    /// The destination Pod's ingress; nil when the destination is not a Pod or both ends are the same Pod.
    public var ingress: DirectionVerdict?

    /// Creates a verdict.
    public init(
        from: PolicyEndpoint, to: PolicyEndpoint, fromPod: String?, toPod: String?, port: Int, protocol: PolicyProtocol,
        allowed: Bool, note: Note?, egress: DirectionVerdict?, ingress: DirectionVerdict?
    ) {
        self.from = from
        self.to = to
        self.fromPod = fromPod
        self.toPod = toPod
        self.port = port
        self.protocol = `protocol`
        self.allowed = allowed
        self.note = note
        self.egress = egress
        self.ingress = ingress
    }

    /// The reason in one line: the special case, then the egress and ingress verdicts, separated by `; `.
    public var reason: String { lines.joined(separator: "; ") }

    /// One line: `x/a -> x/b TCP/80: blocked: ingress of x/b: isolated by deny-all; …`.
    public var summary: String { "\(header): \(reason)" }

    /// Several lines: the header, then one indented line per part of the reason.
    public var description: String { ([header] + lines.map { "  " + $0 }).joined(separator: "\n") }

    /// `x/a -> x/b TCP/80: allowed` (an address that is a Pod's shows the Pod in parentheses).
    var header: String {
        func label(_ endpoint: PolicyEndpoint, _ pod: String?) -> String {
            if case .ip = endpoint, let pod { return "\(endpoint) (\(pod))" }
            return endpoint.description
        }
        return "\(label(from, fromPod)) -> \(label(to, toPod)) \(`protocol`)/\(port): \(allowed ? "allowed" : "blocked")"
    }

    /// The parts of the reason.
    var lines: [String] {
        var lines: [String] = []
        if let note { lines.append(note.text) }
        if let egress { lines.append(egress.description) }
        if let ingress { lines.append(ingress.description) }
        return lines
    }

    /// The JSON keys (`reason` is written, never read).
    enum CodingKeys: String, CodingKey {
        case from, to, fromPod, toPod, port, allowed, reason, note, egress, ingress
        case `protocol`
    }

    /// Decodes a verdict (`reason` is ignored: it is derived).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decode(PolicyEndpoint.self, forKey: .from)
        to = try container.decode(PolicyEndpoint.self, forKey: .to)
        fromPod = try container.decodeIfPresent(String.self, forKey: .fromPod)
        toPod = try container.decodeIfPresent(String.self, forKey: .toPod)
        port = try container.decode(Int.self, forKey: .port)
        `protocol` = try container.decode(PolicyProtocol.self, forKey: .protocol)
        allowed = try container.decode(Bool.self, forKey: .allowed)
        note = try container.decodeIfPresent(Note.self, forKey: .note)
        egress = try container.decodeIfPresent(DirectionVerdict.self, forKey: .egress)
        ingress = try container.decodeIfPresent(DirectionVerdict.self, forKey: .ingress)
    }

    /// Encodes the query fields, `allowed`, the one-line `reason`, then the structured parts.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(port, forKey: .port)
        try container.encode(`protocol`, forKey: .protocol)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(reason, forKey: .reason)
        try container.encodeIfPresent(fromPod, forKey: .fromPod)
        try container.encodeIfPresent(toPod, forKey: .toPod)
        try container.encodeIfPresent(note, forKey: .note)
        try container.encodeIfPresent(egress, forKey: .egress)
        try container.encodeIfPresent(ingress, forKey: .ingress)
    }
}
