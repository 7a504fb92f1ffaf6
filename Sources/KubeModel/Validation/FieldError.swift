/// One validation or decoding problem at a field path, worded like the API server's errors
/// (`Invalid value: "x": detail`, `Required value: detail`, `Unsupported value: …`).
public struct FieldError: Hashable, Sendable, CustomStringConvertible {
    /// The field path, e.g. `spec.rules[0].http.paths[1].path`.
    public var field: String
    /// The message after the field path.
    public var message: String

    /// Creates an error from a field path and a complete message.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `Invalid value: "<value>": <detail>`.
    public static func invalid(_ field: String, _ value: String, _ detail: String) -> FieldError {
        FieldError(field: field, message: "Invalid value: \(quoted(value)): \(detail)")
    }

    /// `Required value` with an optional detail.
    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(field: field, message: detail.isEmpty ? "Required value" : "Required value: \(detail)")
    }

    /// `Unsupported value: "<value>": supported values: "a", "b"`.
    public static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> FieldError {
        let list = supported.map(quoted).joined(separator: ", ")
        return FieldError(field: field, message: "Unsupported value: \(quoted(value)): supported values: \(list)")
    }

    /// `Forbidden: <detail>`.
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(field: field, message: "Forbidden: \(detail)")
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }

    /// The value in double quotes with `"` and `\` escaped, as the API server prints it.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

/// Builds field paths the way the API server prints them: `spec.rules[0].http`. A path is a chain of steps that is
/// turned into text only when ``description`` is read (when an error is reported), so validating a valid object
/// formats no path.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of a path, pointing at the step before it.
    private indirect enum Step: Hashable, Sendable {
        case root(String)
        case child(Step, String)
        case index(Step, Int)
        case key(Step, String)
    }

    private let step: Step

    /// A path starting at a top-level field.
    public init(_ root: String) { step = .root(root) }

    private init(step: Step) { self.step = step }

    /// The path of a child field.
    public func child(_ name: String) -> FieldPath { FieldPath(step: .child(step, name)) }

    /// The path of an element of a list.
    public func index(_ index: Int) -> FieldPath { FieldPath(step: .index(step, index)) }

    /// The path of a map entry.
    public func key(_ key: String) -> FieldPath { FieldPath(step: .key(step, key)) }

    /// The path as the API server prints it.
    public var description: String {
        var text = ""
        Self.render(step, into: &text)
        return text
    }

    /// Two paths are equal when they print the same.
    public static func == (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.description == rhs.description }

    /// Hashes the printed path.
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    private static func render(_ step: Step, into text: inout String) {
        switch step {
        case .root(let name):
            text += name
        case .child(let parent, let name):
            render(parent, into: &text)
            if !text.isEmpty { text += "." }
            text += name
        case .index(let parent, let index):
            render(parent, into: &text)
            text += "[\(index)]"
        case .key(let parent, let key):
            render(parent, into: &text)
            text += "[\(key)]"
        }
    }
}
