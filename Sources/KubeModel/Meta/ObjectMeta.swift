/// The `metadata` block every Kubernetes object carries (the fields Gatehouse reads).
public struct ObjectMeta: Codable, Hashable, Sendable {
    /// The object's name, unique per kind and namespace.
    public var name: String?
    /// The namespace; `nil` means `default` for namespaced kinds (see ``namespaceOrDefault``).
    public var namespace: String?
    /// Labels used by selectors.
    public var labels: [String: String]?
    /// Annotations (ingress-nginx settings live here).
    public var annotations: [String: String]?
    /// RFC 3339 creation time as the API server writes it; standalone mode stamps first-seen time.
    public var creationTimestamp: String?
    /// Opaque identity assigned by the API server.
    public var uid: String? {
        get { serverFields?.value.uid }
        set { serverFields.edit { $0.uid = newValue } }
    }
    /// Opaque version for optimistic concurrency and watches.
    public var resourceVersion: String? {
        get { serverFields?.value.resourceVersion }
        set { serverFields.edit { $0.resourceVersion = newValue } }
    }
    /// Sequence number of spec changes.
    public var generation: Int? {
        get { serverFields?.value.generation }
        set { serverFields.edit { $0.generation = newValue } }
    }
    /// The fields only the API server sets, boxed (nil when none is set, as in manifest files): every object
    /// carries metadata, and these would be 40 bytes more in each.
    private var serverFields: Boxed<ServerFields>?

    /// `uid`, `resourceVersion` and `generation`.
    private struct ServerFields: RareFields {
        var uid: String?
        var resourceVersion: String?
        var generation: Int?
    }

    private enum CodingKeys: String, CodingKey {
        case name, namespace, labels, annotations, creationTimestamp, uid, resourceVersion, generation
    }

    /// Decodes the fields that are present.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels).map(Self.sharingWellKnownKeys)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        creationTimestamp = try container.decodeIfPresent(String.self, forKey: .creationTimestamp)
        try serverFields.edit {
            $0.uid = try container.decodeIfPresent(String.self, forKey: .uid)
            $0.resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion)
            $0.generation = try container.decodeIfPresent(Int.self, forKey: .generation)
        }
    }

    /// Label keys many objects carry, longer than the 15 bytes a string holds without a buffer of its own.
    private static let wellKnownKeys: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            "kubernetes.io/service-name", "endpointslice.kubernetes.io/managed-by", "app.kubernetes.io/name",
            "app.kubernetes.io/instance", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
            "app.kubernetes.io/managed-by", "app.kubernetes.io/version", "pod-template-hash",
        ].map { ($0, $0) })

    /// `labels` with each well-known key replaced by the one shared copy (every EndpointSlice names its Service
    /// under the same key: one buffer instead of one per slice).
    private static func sharingWellKnownKeys(_ labels: [String: String]) -> [String: String] {
        guard labels.keys.contains(where: { wellKnownKeys[$0] != nil }) else { return labels }
        return Dictionary(uniqueKeysWithValues: labels.map { (wellKnownKeys[$0.key] ?? $0.key, $0.value) })
    }

    /// Encodes the fields that are set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        try container.encodeIfPresent(labels, forKey: .labels)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encodeIfPresent(creationTimestamp, forKey: .creationTimestamp)
        try container.encodeIfPresent(uid, forKey: .uid)
        try container.encodeIfPresent(resourceVersion, forKey: .resourceVersion)
        try container.encodeIfPresent(generation, forKey: .generation)
    }

    /// Creates metadata with the given identity.
    public init(
        name: String? = nil,
        namespace: String? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        creationTimestamp: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.creationTimestamp = creationTimestamp
    }

    /// The namespace, defaulting to `default` as `kubectl apply` does.
    public var namespaceOrDefault: String { namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default" }

    /// The name, or an empty string when missing (validation reports a missing name).
    public var nameOrEmpty: String { name ?? "" }

    /// The value of one annotation.
    public func annotation(_ key: String) -> String? { annotations?[key] }

    /// The value of one label.
    public func label(_ key: String) -> String? { labels?[key] }
}

/// Identifies one object: kind, namespace (nil for cluster-scoped kinds) and name.
public struct ObjectRef: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The object's kind, e.g. `Ingress`.
    public var kind: String
    /// The namespace, nil for cluster-scoped objects and for files.
    public var namespace: String?
    /// The name (for a whole file, its path).
    public var name: String

    /// Creates a reference.
    public init(kind: String, namespace: String?, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// Parses `namespace/name`, the way flags such as `--default-ssl-certificate` name a namespaced object, as a
    /// reference to an object of `kind`; nil unless there is exactly one slash with a non-empty part on each side.
    public init?(kind: String, namespacedName text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(kind: kind, namespace: String(parts[0]), name: String(parts[1]))
    }

    /// `namespace/name`, or just the name for cluster-scoped objects.
    public var description: String {
        if let namespace { return "\(namespace)/\(name)" }
        return name
    }

    /// Orders by kind, then namespace, then name.
    public static func < (lhs: ObjectRef, rhs: ObjectRef) -> Bool {
        // Field by field, without building tuples of copied strings (this sorts tens of thousands of objects).
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        let left = lhs.namespace ?? ""
        let right = rhs.namespace ?? ""
        if left != right { return left < right }
        return lhs.name < rhs.name
    }
}

/// A value that is either an integer or a string (`targetPort`, NetworkPolicy `port`).
public enum IntOrString: Codable, Hashable, Sendable, CustomStringConvertible {
    /// An integer value.
    case int(Int)
    /// A string value (for ports, a port name).
    case string(String)

    /// Decodes an integer if the scalar is one, else a string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes the integer or the string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// The value as written.
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): value
        }
    }
}

/// A label selector (`matchLabels` AND every `matchExpressions` requirement).
public struct LabelSelector: Codable, Hashable, Sendable {
    /// Labels that must be present with exactly these values.
    public var matchLabels: [String: String]?
    /// Set-based requirements.
    public var matchExpressions: [LabelSelectorRequirement]?

    /// Creates a selector.
    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// True when the selector has no requirement at all (it selects everything).
    public var isEmpty: Bool { (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty }

    /// Whether a set of labels satisfies every requirement.
    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] where !requirement.matches(labels) { return false }
        return true
    }
}

/// One set-based requirement of a ``LabelSelector``.
public struct LabelSelectorRequirement: Codable, Hashable, Sendable {
    /// The label key.
    public var key: String
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    public var `operator`: String
    /// The values for `In`/`NotIn`.
    public var values: [String]?

    /// Creates a requirement.
    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether the labels satisfy this requirement (an unknown operator never matches).
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch `operator` {
        case "In": return value.map { (values ?? []).contains($0) } ?? false
        case "NotIn": return value.map { !(values ?? []).contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        default: return false
        }
    }
}
