/// The place in a policy that admitted a connection: the policy, the rule, and the peer and port entries that matched.
public struct RuleMatch: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The policy's name (it lives in the namespace of the Pod it selects).
    public var policy: String
    /// Which rule list: `spec.ingress` or `spec.egress`.
    public var direction: PolicyDirection
    /// The rule's index in that list.
    public var rule: Int
    /// The index in the rule's `from`/`to` of the peer that matched; nil when the rule has no peers (any peer).
    public var peer: Int?
    /// The index in the rule's `ports` of the port that matched; nil when the rule has no ports (any port).
    public var port: Int?

    /// Creates a match.
    public init(policy: String, direction: PolicyDirection, rule: Int, peer: Int?, port: Int?) {
        self.policy = policy
        self.direction = direction
        self.rule = rule
        self.peer = peer
        self.port = port
    }

    /// The rule's field path, e.g. `spec.ingress[0]`.
    public var field: String { "spec.\(direction)[\(rule)]" }

    /// E.g. `allow-a spec.ingress[0] (from[1], ports[0])` or `allow-all spec.ingress[0] (any peer, any port)`.
    public var description: String {
        let peerText = peer.map { "\(direction.peerField)[\($0)]" } ?? "any peer"
        let portText = port.map { "ports[\($0)]" } ?? "any port"
        return "\(policy) \(field) (\(peerText), \(portText))"
    }
}
