/// Syntax checks for label keys, label values and label selectors, as the API server applies them
/// (`IsQualifiedName`, `IsValidLabelValue`, `ValidateLabelSelector`).
public enum LabelValidation {
    /// The longest name part of a qualified name, and the longest label value.
    public static let maxLength = 63
    /// The four label selector operators.
    public static let operators = ["In", "NotIn", "Exists", "DoesNotExist"]

    static let qualifiedNameRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        + "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '\(qualifiedNameRegex)')"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
        + "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
        + "validation is '(\(qualifiedNameRegex))?')"

    /// A label key: an optional DNS-1123 subdomain prefix and `/`, then a name of 1–63 alphanumerics, `-`, `_`, `.`.
    public static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        var problems: [String] = []
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = String(parts[0])
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += NameValidation.dns1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        default:
            return [
                "a qualified name " + qualifiedNameMessage
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.utf8.count > maxLength {
            problems.append("name part must be no more than \(maxLength) characters")
        }
        if !isQualifiedNamePart(name.utf8) { problems.append("name part " + qualifiedNameMessage) }
        return problems
    }

    /// A label value: empty, or up to 63 alphanumerics, `-`, `_`, `.` starting and ending alphanumeric.
    public static func labelValue(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > maxLength { problems.append("must be no more than \(maxLength) characters") }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8) { problems.append(labelValueMessage) }
        return problems
    }

    /// Validates a label map (keys and values, in key order) at `path`.
    public static func labels(_ labels: [String: String]?, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (key, value) in (labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            errors += qualifiedName(key).map { .invalid(path.description, key, $0) }
            errors += labelValue(value).map { .invalid(path.description, value, $0) }
        }
        return errors
    }

    /// Validates a label selector: `matchLabels`, and each requirement's operator, key and values.
    public static func selector(_ selector: LabelSelector?, at path: FieldPath) -> [FieldError] {
        guard let selector else { return [] }
        var errors = labels(selector.matchLabels, at: path.child("matchLabels"))
        for (index, requirement) in (selector.matchExpressions ?? []).enumerated() {
            errors += self.requirement(requirement, at: path.child("matchExpressions").index(index))
        }
        return errors
    }

    /// Validates one set-based requirement: values required for `In`/`NotIn`, forbidden for `Exists`/`DoesNotExist`.
    public static func requirement(_ requirement: LabelSelectorRequirement, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let values = requirement.values ?? []
        switch requirement.operator {
        case "In", "NotIn":
            if values.isEmpty {
                errors.append(.required(path.child("values").description, "must be specified when `operator` is 'In' or 'NotIn'"))
            }
        case "Exists", "DoesNotExist":
            if !values.isEmpty {
                errors.append(
                    .forbidden(path.child("values").description, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
                )
            }
        default:
            errors.append(.invalid(path.child("operator").description, requirement.operator, "not a valid selector operator"))
        }
        errors += qualifiedName(requirement.key).map { .invalid(path.child("key").description, requirement.key, $0) }
        for (index, value) in values.enumerated() {
            errors += labelValue(value).map { .invalid(path.child("values").index(index).description, value, $0) }
        }
        return errors
    }

    /// Whether the bytes match `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    static func isQualifiedNamePart<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }
}
