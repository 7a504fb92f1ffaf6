/// What one Pod's policies say about one direction of a connection: the source's egress or the destination's ingress.
public struct DirectionVerdict: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The three possible outcomes.
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// No policy selects the Pod for this direction: everything is allowed.
        case notIsolated
        /// The Pod is isolated and a rule admits the connection.
        case admitted
        /// The Pod is isolated and no rule admits the connection.
        case denied
    }

    /// Ingress (of the destination) or egress (of the source).
    public var direction: PolicyDirection
    /// The Pod whose policies apply, `namespace/name`.
    public var pod: String
    /// The outcome.
    public var outcome: Outcome
    /// The policies that select the Pod for this direction (its namespace's), sorted by name; empty when not isolated.
    public var policies: [String]
    /// The first rule (in policy name order, then rule, peer and port order) that admits the connection.
    public var admittedBy: RuleMatch?

    /// Creates a verdict.
    public init(direction: PolicyDirection, pod: String, outcome: Outcome, policies: [String], admittedBy: RuleMatch?) {
        self.direction = direction
        self.pod = pod
        self.outcome = outcome
        self.policies = policies
        self.admittedBy = admittedBy
    }

    /// Whether this direction lets the connection through.
    public var allowed: Bool { outcome != .denied }

    /// E.g. `ingress of x/b: isolated by deny-all; denied: no ingress rule admits it`.
    public var description: String {
        let subject = "\(direction) of \(pod)"
        let isolated = "isolated by \(policies.joined(separator: ", "))"
        switch outcome {
        case .notIsolated:
            return "\(subject): not isolated (no policy selects it for \(direction))"
        case .admitted:
            let rule = admittedBy.map { "admitted by \($0)" } ?? "admitted"
            return "\(subject): \(isolated); \(rule)"
        case .denied:
            return "\(subject): \(isolated); denied: no \(direction) rule admits it"
        }
    }
}
