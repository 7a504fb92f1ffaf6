/// A compiled, case-insensitive regular expression from an Ingress path (nginx `~*` semantics).
/// Paths without metacharacters skip the regex engine and compare bytes case-insensitively.
public struct PatternRegex: @unchecked Sendable, Hashable {
    // Regex values are immutable after compilation; sharing them across threads is safe.
    private let regex: Regex<AnyRegexOutput>?
    /// The pattern as written in the Ingress.
    public let pattern: String
    /// The pattern's bytes lowercased, when it has no metacharacters (a plain case-insensitive prefix).
    private let literal: [UInt8]?

    /// Compiles `pattern`; throws when it is not a valid regular expression.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        let metacharacters: Set<Character> = [".", "^", "$", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "\\"]
        if pattern.contains(where: { metacharacters.contains($0) }) {
            regex = try Regex(pattern).ignoresCase()
            literal = nil
        } else {
            regex = nil
            literal = pattern.utf8.map(Self.lowercase)
        }
    }

    /// Whether the pattern matches at the start of `path` (`^pattern`, case-insensitive).
    public func matchesPrefix(of path: String) -> Bool {
        if let literal {
            var utf8 = path.utf8.makeIterator()
            for expected in literal {
                guard let byte = utf8.next(), Self.lowercase(byte) == expected else { return false }
            }
            return true
        }
        guard let regex else { return false }
        return (try? regex.prefixMatch(in: path)) != nil
    }

    /// The first match anywhere in `text` as the whole matched range plus capture groups (nil when a group did not take part).
    public func firstMatch(in text: String) -> (range: Range<String.Index>, groups: [Substring?])? {
        if let literal {
            let bytes = Array(text.utf8)
            guard literal.count <= bytes.count else { return nil }
            for start in 0...(bytes.count - literal.count)
            where zip(bytes[start...], literal).allSatisfy({ Self.lowercase($0.0) == $0.1 }) {
                let utf8 = text.utf8
                let lower = utf8.index(utf8.startIndex, offsetBy: start)
                let upper = utf8.index(lower, offsetBy: literal.count)
                return (lower..<upper, [])
            }
            return nil
        }
        guard let regex, let match = try? regex.firstMatch(in: text) else { return nil }
        var groups: [Substring?] = []
        for index in 1..<match.output.count { groups.append(match.output[index].substring) }
        return (match.range, groups)
    }

    /// ASCII lowercase of one byte.
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Equal when the patterns are equal.
    public static func == (lhs: PatternRegex, rhs: PatternRegex) -> Bool { lhs.pattern == rhs.pattern }

    /// Hashes the pattern.
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
