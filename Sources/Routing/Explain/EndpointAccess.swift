/// Whether the controller's Pods may open a connection to one endpoint, as NetworkPolicy decides, and why.
public struct EndpointAccess: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The possible answers.
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// The connection is allowed.
        case allowed
        /// A NetworkPolicy drops the connection: requests sent there fail.
        case blocked
        /// The manifests do not say enough to decide (e.g. the Pod or the controller's identity is missing).
        case unknown
        /// NetworkPolicy does not apply (an ExternalName Service's DNS name).
        case notApplicable = "not applicable"
    }

    /// The answer.
    public var outcome: Outcome
    /// Why, in one line.
    public var reason: String

    /// Creates an answer.
    public init(_ outcome: Outcome, _ reason: String) {
        self.outcome = outcome
        self.reason = reason
    }

    /// `allowed: …`, `blocked: …`.
    public var description: String { "\(outcome.rawValue): \(reason)" }
}

/// Decides ``EndpointAccess`` for endpoints of the snapshot. Routing knows nothing of NetworkPolicy; the
/// implementation (the NetworkPolicy engine seen from the controller's Pods) is supplied by the caller.
public protocol EndpointAccessCheck: Sendable {
    /// Whether the controller may connect to `endpoint` of `cluster` (TCP, the endpoint's port).
    func access(to endpoint: Endpoint, of cluster: ClusterID) -> EndpointAccess
}
