/// Syntax checks for names, hosts and ports, as the Kubernetes API server applies them.
/// Each returns the problems found (empty when valid), phrased as the detail of an `Invalid value` error.
public enum NameValidation {
    /// The longest DNS-1123 subdomain.
    public static let dns1123SubdomainMaxLength = 253
    /// The longest DNS-1123 or DNS-1035 label.
    public static let dnsLabelMaxLength = 63

    /// A lowercase RFC 1123 subdomain: labels of `[a-z0-9]([-a-z0-9]*[a-z0-9])?` joined by dots, at most 253 characters.
    public static func dns1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength {
            problems.append("must be no more than \(dns1123SubdomainMaxLength) characters")
        }
        if !isSubdomain(value.utf8) {
            problems.append(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'example.com')"
            )
        }
        return problems
    }

    /// A wildcard DNS name: `*.` followed by a lowercase RFC 1123 subdomain.
    public static func wildcardDNS1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength {
            problems.append("must be no more than \(dns1123SubdomainMaxLength) characters")
        }
        let bytes = Array(value.utf8)
        if bytes.count < 3 || bytes[0] != UInt8(ascii: "*") || bytes[1] != UInt8(ascii: ".")
            || !isSubdomain(bytes[2...])
        {
            problems.append(
                "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
                    + "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                    + "alphanumeric character (e.g. '*.example.com')"
            )
        }
        return problems
    }

    /// A lowercase RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    public static func dns1123Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dnsLabelMaxLength { problems.append("must be no more than 63 characters") }
        if !isLabel(value.utf8, firstMayBeDigit: true) {
            problems.append(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    + "and must start and end with an alphanumeric character (e.g. 'my-name')"
            )
        }
        return problems
    }

    /// A DNS-1035 label (Service names): `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    public static func dns1035Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dnsLabelMaxLength { problems.append("must be no more than 63 characters") }
        if !isLabel(value.utf8, firstMayBeDigit: false) {
            problems.append(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                    + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name')"
            )
        }
        return problems
    }

    /// An IANA service name (named ports): 1–15 of `[-a-z0-9]`, at least one letter, no leading, trailing or double '-'.
    public static func portName(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.isEmpty || bytes.count > 15 { problems.append("must be no more than 15 characters") }
        if !bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if value.contains("--") { problems.append("must not contain consecutive hyphens") }
        if !bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            problems.append("must contain at least one letter (a-z)")
        }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            problems.append("must not begin or end with a hyphen")
        }
        return problems
    }

    /// A port number in 1...65535.
    public static func portNumber(_ value: Int) -> [String] {
        (1...65535).contains(value) ? [] : ["must be between 1 and 65535, inclusive"]
    }

    /// Whether the string is an IPv4 or IPv6 address literal.
    public static func isIPAddress(_ value: String) -> Bool {
        IPAddress(value) != nil
    }

    static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func isLabel<C: BidirectionalCollection<UInt8>>(_ bytes: C, firstMayBeDigit: Bool) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        if !isLowerAlnum(first) || !isLowerAlnum(last) { return false }
        if !firstMayBeDigit && !(first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isSubdomain<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool where C.SubSequence: BidirectionalCollection<UInt8> {
        // Labels of [a-z0-9]([-a-z0-9]*[a-z0-9])? joined by dots, checked in one pass.
        var previous: UInt8 = UInt8(ascii: ".")  // what stood before the current byte ("." at a label's start)
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if !isLowerAlnum(previous) { return false }  // an empty label, or one ending in '-'
            } else if byte == UInt8(ascii: "-") {
                if previous == UInt8(ascii: ".") { return false }  // a label starting with '-'
            } else if !isLowerAlnum(byte) {
                return false
            }
            previous = byte
        }
        return isLowerAlnum(previous)
    }
}
