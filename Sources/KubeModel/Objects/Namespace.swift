/// Core v1 Namespace (its labels feed NetworkPolicy namespace selectors).
public struct Namespace: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta

    /// Creates a Namespace.
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}
