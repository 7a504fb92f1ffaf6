/// A problem with one object (or one manifest file), found while decoding, validating or translating.
/// Issues never fail a snapshot: the object (or just the offending part) is left out and reported.
public struct ConfigIssue: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// How bad the problem is.
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        /// The object (or part) was refused and is not served as written.
        case error
        /// Served, but probably not what the author meant.
        case warning

        /// Errors sort before warnings.
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    /// The object the problem belongs to (kind `File` for a whole manifest file).
    public var object: ObjectRef
    /// The field path, e.g. `spec.rules[0].host`.
    public var field: String
    /// What is wrong.
    public var message: String
    /// Error or warning.
    public var severity: Severity

    /// Creates an issue.
    public init(object: ObjectRef, field: String, message: String, severity: Severity = .error) {
        self.object = object
        self.field = field
        self.message = message
        self.severity = severity
    }

    /// Creates an issue from a field error on an object.
    public init(object: ObjectRef, _ error: FieldError, severity: Severity = .error) {
        self.init(object: object, field: error.field, message: error.message, severity: severity)
    }

    /// `namespace/name: field.path: message` (the form `gatehouse lint` prints).
    public var description: String {
        field.isEmpty ? "\(object): \(message)" : "\(object): \(field): \(message)"
    }

    /// Orders by object, field, then message, so reports are stable.
    public static func < (lhs: ConfigIssue, rhs: ConfigIssue) -> Bool {
        if lhs.object != rhs.object { return lhs.object < rhs.object }
        if lhs.field != rhs.field { return lhs.field < rhs.field }
        return lhs.message < rhs.message
    }
}
