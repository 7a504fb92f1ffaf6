/// The direction a NetworkPolicy rule governs, seen from the selected Pod.
public enum PolicyDirection: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Connections the Pod accepts (`spec.ingress`, rule peers under `from`).
    case ingress
    /// Connections the Pod opens (`spec.egress`, rule peers under `to`).
    case egress

    /// `ingress` or `egress`.
    public var description: String { rawValue }

    /// The name of the peer list in a rule of this direction: `from` or `to`.
    public var peerField: String { self == .ingress ? "from" : "to" }

    /// The value of `spec.policyTypes` for this direction: `Ingress` or `Egress`.
    public var policyType: String { self == .ingress ? "Ingress" : "Egress" }
}
