import Yams

/// A `Decoder` over a composed YAML node tree, specialised for manifests: it reads any `Decodable` type (so every
/// field the Codable types declare is decoded, with no hand-kept list of fields) and behaves like Yams's
/// `YAMLDecoder` where manifests can tell (which scalars are null, integers and booleans, `<<` merge keys, the
/// expected type named in a mismatch, the coding path of every error), at a fraction of its cost: keys are compared
/// as plain strings instead of resolved nodes, each mapping's keys are read once, and the coding path is a chain of
/// keys turned into an array only when an error is reported.
///
/// The tree must be composed with a resolver that does not tag plain scalars (``ManifestDecoder`` uses Yams's
/// `.basic` resolver): this decoder decides from a scalar's text and style alone, exactly as Yams's constructors do.
struct NodeDecoder: Decoder {
    /// The node to decode.
    let node: Node
    /// The keys from the document's root to ``node`` (nil at the root).
    let path: NodePath?

    /// A decoder at the root of a document.
    init(node: Node) {
        self.node = node
        self.path = nil
    }

    /// A decoder for a node below the root.
    init(node: Node, path: NodePath?) {
        self.node = node
        self.path = path
    }

    /// The coding path (built on demand: decoders ask for it only to report errors).
    var codingPath: [any CodingKey] { NodePath.keys(path) }

    /// No user info.
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else {
            throw NodeDecoder.mismatch(Node.Mapping.self, at: path)
        }
        return KeyedDecodingContainer(NodeKeyedContainer<Key>(entries: NodeEntries(mapping), path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else {
            throw NodeDecoder.mismatch(Node.Sequence.self, at: path)
        }
        return NodeUnkeyedContainer(elements: Array(sequence), path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        NodeSingleValueContainer(node: node, path: path)
    }

    // MARK: - Scalars

    /// A type mismatch at `path` (plus `key`), naming the expected type as Yams does.
    static func mismatch(_ expected: Any.Type, at path: NodePath?, key: (any CodingKey)? = nil) -> DecodingError {
        var keys = NodePath.keys(path)
        if let key { keys.append(key) }
        return DecodingError.typeMismatch(expected, .init(codingPath: keys, debugDescription: "Expected to decode \(expected)"))
    }

    /// The scalar of `node`, or a mismatch naming a single value.
    static func scalar(_ node: Node, at path: NodePath?, key: (any CodingKey)?) throws -> Node.Scalar {
        guard case .scalar(let scalar) = node else { throw mismatch(Node.Scalar.self, at: path, key: key) }
        return scalar
    }

    /// Whether `node` is YAML null: a plain (unquoted) `~`, `null`, `Null`, `NULL` or nothing.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        switch scalar.string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// Decodes a value of a type Yams constructs from scalars, or any other `Decodable` through a nested decoder.
    static func decode<T: Decodable>(_ type: T.Type, from node: Node, at path: NodePath?, key: (any CodingKey)?) throws -> T {
        if type == String.self {
            let scalar = try scalar(node, at: path, key: key)
            // `as?` from a concrete type to the generic parameter it equals is free.
            if let value = scalar.string as? T { return value }
        } else if type == Int.self {
            let scalar = try scalar(node, at: path, key: key)
            guard let number = integer(scalar) else { throw mismatch(Int.self, at: path, key: key) }
            if let value = number as? T { return value }
        } else if type == Bool.self {
            let scalar = try scalar(node, at: path, key: key)
            guard let flag = Bool.construct(from: scalar) else { throw mismatch(Bool.self, at: path, key: key) }
            if let value = flag as? T { return value }
        } else if let constructible = type as? any ScalarConstructible.Type {
            // Other scalar types (none in the Kubernetes types today): Yams's own constructor.
            let scalar = try scalar(node, at: path, key: key)
            guard let value = constructible.construct(from: scalar) as? T else { throw mismatch(type, at: path, key: key) }
            return value
        }
        return try T(from: NodeDecoder(node: node, path: key.map { NodePath(parent: path, key: $0) } ?? path))
    }

    /// An integer as Yams reads one (`Int.construct`): decimal digits with an optional sign on the fast path;
    /// anything else (underscores, `0x`, `0o`, `0b`, a leading 0 for octal, sexagesimal `1:30`) through Yams.
    static func integer(_ scalar: Node.Scalar) -> Int? {
        guard scalar.style == .plain || scalar.style == .any else { return nil }
        var utf8 = scalar.string.utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        guard let first = utf8.first else { return nil }
        // Yams drops underscores and reads prefixes that start with 0; no integer starts with a letter.
        if (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") { return nil }
        guard first != UInt8(ascii: "0") || utf8.count == 1, utf8.count <= 18 else { return Int.construct(from: scalar) }
        var value = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return Int.construct(from: scalar) }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}

/// The keys from a document's root to a node, as a chain from the node up; an array only when an error needs one.
final class NodePath: Sendable {
    /// The path of the enclosing container.
    let parent: NodePath?
    /// The key (or index) within it.
    let key: NodeCodingKey

    /// A path one key below `parent`.
    init(parent: NodePath?, key: any CodingKey) {
        self.parent = parent
        self.key = NodeCodingKey(key)
    }

    /// The keys from the root, in order.
    static func keys(_ path: NodePath?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = path
        while let node = current {
            keys.append(node.key)
            current = node.parent
        }
        return keys.reversed()
    }
}

/// A coding key as recorded in a path: the string of a mapping key, or the index of a list element.
struct NodeCodingKey: CodingKey, Sendable {
    let stringValue: String
    let intValue: Int?

    init(_ key: any CodingKey) {
        stringValue = key.stringValue
        intValue = key.intValue
    }

    init(name: String) {
        stringValue = name
        intValue = nil
    }

    init?(stringValue: String) { self.init(name: stringValue) }

    init(intValue: Int) {
        stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

/// A mapping's entries by key string, `<<` merge keys applied as Yams applies them (merged entries first, the
/// mapping's own after; a lookup takes the last match, so written keys win over merged ones).
struct NodeEntries {
    private(set) var keys: [String] = []
    private(set) var values: [Node] = []

    init(_ mapping: Node.Mapping) {
        var merged: [(String, Node)] = []
        keys.reserveCapacity(mapping.count)
        values.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { continue }  // a complex key is no field name
            if scalar.style == .plain && scalar.string == "<<" {
                switch value {
                case .mapping(let source):
                    let entries = NodeEntries(source)
                    merged += zip(entries.keys, entries.values).map { ($0, $1) }
                case .sequence(let sources):
                    for case .mapping(let source) in sources.reversed() {
                        let entries = NodeEntries(source)
                        merged += zip(entries.keys, entries.values).map { ($0, $1) }
                    }
                default:
                    break
                }
                continue
            }
            keys.append(scalar.string)
            values.append(value)
        }
        if !merged.isEmpty {
            keys = merged.map(\.0) + keys
            values = merged.map(\.1) + values
        }
    }

    /// The value of the last entry named `key`.
    func value(_ key: String) -> Node? {
        var index = keys.count
        while index > 0 {
            index -= 1
            if keys[index] == key { return values[index] }
        }
        return nil
    }
}

/// A keyed container over a mapping's entries.
struct NodeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: NodeEntries
    let path: NodePath?

    var codingPath: [any CodingKey] { NodePath.keys(path) }

    var allKeys: [Key] {
        var seen: Set<String> = []
        var keys: [Key] = []
        for name in entries.keys.reversed() where seen.insert(name).inserted {
            if let key = Key(stringValue: name) { keys.append(key) }
        }
        return keys.reversed()
    }

    func contains(_ key: Key) -> Bool { entries.value(key.stringValue) != nil }

    private func node(_ key: Key) throws -> Node {
        guard let node = entries.value(key.stringValue) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return node
    }

    func decodeNil(forKey key: Key) throws -> Bool { NodeDecoder.isNull(try node(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try NodeDecoder.decode(type, from: try node(key), at: path, key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = entries.value(key.stringValue), !NodeDecoder.isNull(node) else { return nil }
        return try NodeDecoder.decode(type, from: node, at: path, key: key)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try NodeDecoder.scalar(try node(key), at: path, key: key).string
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let node = entries.value(key.stringValue), !NodeDecoder.isNull(node) else { return nil }
        return try NodeDecoder.scalar(node, at: path, key: key).string
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try NodeDecoder.decode(type, from: try node(key), at: path, key: key)
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let node = entries.value(key.stringValue), !NodeDecoder.isNull(node) else { return nil }
        return try NodeDecoder.decode(type, from: node, at: path, key: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try NodeDecoder.decode(type, from: try node(key), at: path, key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let node = entries.value(key.stringValue), !NodeDecoder.isNull(node) else { return nil }
        return try NodeDecoder.decode(type, from: node, at: path, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(node: try node(key), path: NodePath(parent: path, key: key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(node: try node(key), path: NodePath(parent: path, key: key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = NodeCodingKey(name: "super")
        guard let node = entries.value(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key super."))
        }
        return NodeDecoder(node: node, path: NodePath(parent: path, key: key))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        NodeDecoder(node: try node(key), path: NodePath(parent: path, key: key))
    }
}

/// An unkeyed container over a sequence's elements.
struct NodeUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [Node]
    let path: NodePath?
    private(set) var currentIndex = 0

    init(elements: [Node], path: NodePath?) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { NodePath.keys(path) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element, or a `valueNotFound` error at the end.
    private func current<T>(_ type: T.Type) throws -> Node {
        guard currentIndex < elements.count else {
            throw DecodingError.valueNotFound(
                type,
                .init(codingPath: codingPath + [NodeCodingKey(intValue: currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        let isNull = NodeDecoder.isNull(try current(Any?.self))
        if isNull { currentIndex += 1 }
        return isNull
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let node = try current(type)
        let value = try NodeDecoder.decode(type, from: node, at: path, key: NodeCodingKey(intValue: currentIndex))
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let node = try current(KeyedDecodingContainer<NestedKey>.self)
        let container = try NodeDecoder(node: node, path: NodePath(parent: path, key: NodeCodingKey(intValue: currentIndex)))
            .container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let node = try current((any UnkeyedDecodingContainer).self)
        let container = try NodeDecoder(node: node, path: NodePath(parent: path, key: NodeCodingKey(intValue: currentIndex)))
            .unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let node = try current((any Decoder).self)
        let decoder = NodeDecoder(node: node, path: NodePath(parent: path, key: NodeCodingKey(intValue: currentIndex)))
        currentIndex += 1
        return decoder
    }
}

/// A single-value container over one node.
struct NodeSingleValueContainer: SingleValueDecodingContainer {
    let node: Node
    let path: NodePath?

    var codingPath: [any CodingKey] { NodePath.keys(path) }

    func decodeNil() -> Bool { NodeDecoder.isNull(node) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try NodeDecoder.decode(type, from: node, at: path, key: nil)
    }

    func decode(_ type: String.Type) throws -> String { try NodeDecoder.scalar(node, at: path, key: nil).string }

    func decode(_ type: Int.Type) throws -> Int { try NodeDecoder.decode(type, from: node, at: path, key: nil) }

    func decode(_ type: Bool.Type) throws -> Bool { try NodeDecoder.decode(type, from: node, at: path, key: nil) }
}
