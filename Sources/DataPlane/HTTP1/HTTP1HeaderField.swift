import NIOCore

/// One header (or trailer) field: ranges into the owning section's `bytes`, and the recognised name.
public struct HTTP1HeaderField: Sendable, Hashable {
    /// The name's bytes, exactly as received (case preserved).
    public var name: Range<Int>
    /// The value's bytes, with leading and trailing whitespace (OWS) trimmed; may be empty.
    public var value: Range<Int>
    /// The well-known name this is, or `.other`.
    public var kind: HTTP1HeaderKind

    /// Creates a field from ranges into a section's bytes.
    public init(name: Range<Int>, value: Range<Int>, kind: HTTP1HeaderKind) {
        self.name = name
        self.value = value
        self.kind = kind
    }
}
