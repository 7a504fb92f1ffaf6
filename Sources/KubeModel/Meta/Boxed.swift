/// An immutable value held by reference: 8 bytes in its holder whatever the value's size. For fields most holders
/// leave unset (nil: no box) and values many holders share. Equal and hashed by the value it holds.
public final class Boxed<Value: Sendable>: Sendable {
    /// The value.
    public let value: Value

    /// Holds `value`.
    public init(_ value: Value) {
        self.value = value
    }
}

extension Boxed: Equatable where Value: Equatable {
    /// Equal when the values are.
    public static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs === rhs || lhs.value == rhs.value }
}

extension Boxed: Hashable where Value: Hashable {
    /// Hashes the value.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}

/// Rarely set fields kept together in one ``Boxed`` that is left out when none of them is set.
public protocol RareFields: Hashable, Sendable {
    /// None set.
    init()
}

extension Optional {
    /// Edits the boxed fields (starting from none set when there is no box) and keeps a box only when one is set.
    public mutating func edit<Fields: RareFields>(_ body: (inout Fields) throws -> Void) rethrows where Wrapped == Boxed<Fields> {
        var fields = self?.value ?? Fields()
        try body(&fields)
        self = fields == Fields() ? nil : Boxed(fields)
    }
}
