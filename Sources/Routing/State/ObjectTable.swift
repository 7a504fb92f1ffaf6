import KubeModel

/// A kind of object an ``ObjectTable`` holds: one case of ``KubeObject``.
public protocol KubeObjectKind: Sendable, Equatable {
    /// The object inside `object`, nil when `object` is of another kind.
    init?(unwrapping object: KubeObject)
}

extension Ingress: KubeObjectKind {
    /// The Ingress inside `object`.
    public init?(unwrapping object: KubeObject) {
        guard case .ingress(let value) = object else { return nil }
        self = value
    }
}

extension Service: KubeObjectKind {
    /// The Service inside `object`.
    public init?(unwrapping object: KubeObject) {
        guard case .service(let value) = object else { return nil }
        self = value
    }
}

extension EndpointSlice: KubeObjectKind {
    /// The EndpointSlice inside `object`.
    public init?(unwrapping object: KubeObject) {
        guard case .endpointSlice(let value) = object else { return nil }
        self = value
    }
}

extension Secret: KubeObjectKind {
    /// The Secret inside `object`.
    public init?(unwrapping object: KubeObject) {
        guard case .secret(let value) = object else { return nil }
        self = value
    }
}

/// Objects of one kind by identity, read like a dictionary. Each is kept as the ``KubeObject`` it was admitted as:
/// that box is shared with the manifest store, so the table costs a reference per object instead of a copy of
/// every object (an Ingress is about 250 bytes; with 10,000 of them, megabytes per table).
public struct ObjectTable<Value: KubeObjectKind>: Sendable, Equatable, Sequence {
    /// The objects, each of kind `Value`.
    private var objects: [ObjectRef: KubeObject] = [:]

    /// An empty table.
    public init() {}

    /// The object `ref` names, nil when there is none.
    public subscript(ref: ObjectRef) -> Value? {
        objects[ref].flatMap(Value.init(unwrapping:))
    }

    /// The identities.
    public var keys: Dictionary<ObjectRef, KubeObject>.Keys { objects.keys }
    /// How many objects there are.
    public var count: Int { objects.count }
    /// Whether there are none.
    public var isEmpty: Bool { objects.isEmpty }
    /// The objects, in no particular order.
    public var values: [Value] { objects.values.compactMap(Value.init(unwrapping:)) }

    /// Keeps `object` (of kind `Value`) under `ref`.
    mutating func set(_ object: KubeObject, for ref: ObjectRef) {
        objects[ref] = object
    }

    /// Drops the object under `ref`.
    mutating func remove(_ ref: ObjectRef) {
        objects[ref] = nil
    }

    /// Iterates over (identity, object) pairs, in no particular order.
    public struct Iterator: IteratorProtocol {
        var base: Dictionary<ObjectRef, KubeObject>.Iterator

        /// The next pair.
        public mutating func next() -> (key: ObjectRef, value: Value)? {
            while let (key, object) = base.next() {
                if let value = Value(unwrapping: object) { return (key, value) }
            }
            return nil
        }
    }

    /// An iterator over the pairs.
    public func makeIterator() -> Iterator {
        Iterator(base: objects.makeIterator())
    }
}
