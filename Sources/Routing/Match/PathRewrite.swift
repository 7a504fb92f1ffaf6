/// ingress-nginx's `rewrite-target`: when the route's pattern (case-insensitive, unanchored) matches the path,
/// the whole path becomes the target with `$1`…`$9` replaced by capture groups; the query string is kept.
public struct PathRewrite: Hashable, Sendable {
    /// The pattern (the Ingress path).
    public var pattern: PatternRegex
    /// The replacement as written.
    public var target: String

    /// Creates a rewrite.
    public init(pattern: PatternRegex, target: String) {
        self.pattern = pattern
        self.target = target
    }

    /// The new request target for `path` (normalized) and `query` (raw, without `?`); the path unchanged plus
    /// the query when the pattern does not match.
    public func apply(path: String, query: Substring?) -> String {
        guard let match = pattern.firstMatch(in: path) else {
            return query.map { path + "?" + $0 } ?? path
        }
        var result = ""
        var characters = target.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "$", let next = pending, let digit = next.wholeNumberValue, next.isASCII {
                pending = characters.next()
                if digit == 0 {
                    result += path[match.range]
                } else if digit - 1 < match.groups.count, let group = match.groups[digit - 1] {
                    result += group
                }
            } else {
                result.append(character)
            }
        }
        if let query, !query.isEmpty {
            result += result.contains("?") ? "&" + query : "?" + query
        }
        return result
    }
}
