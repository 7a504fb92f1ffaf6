/// How one route compares a request path (already normalized by ``RequestPath``).
public enum PathMatcher: Hashable, Sendable {
    /// `Exact`: the whole path, case-sensitively.
    case exact(String)
    /// `Prefix`: element-wise prefix; stored without a trailing slash (`/` for the root).
    case prefix(String)
    /// `ImplementationSpecific` outside regex mode: a plain character prefix, as an nginx prefix location.
    case characterPrefix(String)
    /// Regex mode (`use-regex` or `rewrite-target` on the host): a case-insensitive regex anchored at the start.
    /// Boxed: a compiled pattern is larger than a path, and every route holds a matcher.
    indirect case regex(PatternRegex)

    /// Whether the path matches.
    public func matches(_ path: String) -> Bool {
        switch self {
        case .exact(let expected): return path == expected
        case .prefix(let prefix): return Self.isElementPrefix(prefix, of: path)
        case .characterPrefix(let prefix): return path.utf8.starts(with: prefix.utf8)
        case .regex(let regex): return regex.matchesPrefix(of: path)
        }
    }

    /// The length used to order prefix-like routes (longest first).
    var orderingLength: Int {
        switch self {
        case .exact(let value), .prefix(let value), .characterPrefix(let value): value.utf8.count
        case .regex(let regex): regex.pattern.utf8.count
        }
    }

    /// Element-wise prefix test: `/foo` matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`; `/` matches all.
    static func isElementPrefix(_ prefix: String, of path: String) -> Bool {
        // Over the strings' own UTF-8 storage (native strings always have it), without copying either.
        let matched = prefix.utf8.withContiguousStorageIfAvailable { prefixBytes in
            path.utf8.withContiguousStorageIfAvailable { pathBytes in isElementPrefix(prefixBytes, of: pathBytes) }
        }
        if let matched, let matched { return matched }
        var prefix = prefix
        var path = path
        return prefix.withUTF8 { prefixBytes in path.withUTF8 { pathBytes in isElementPrefix(prefixBytes, of: pathBytes) } }
    }

    /// ``isElementPrefix(_:of:)`` on UTF-8 bytes, compared byte by byte (prefixes are short).
    private static func isElementPrefix(_ prefix: UnsafeBufferPointer<UInt8>, of path: UnsafeBufferPointer<UInt8>) -> Bool {
        if prefix.count == 1 { return true }  // "/"
        guard path.count >= prefix.count else { return false }
        var i = 0
        while i < prefix.count {
            if path[i] != prefix[i] { return false }
            i &+= 1
        }
        return path.count == prefix.count || path[prefix.count] == UInt8(ascii: "/")
    }

    /// The stored form of a `Prefix` path: trailing slashes removed, `/` kept for the root.
    static func normalizedPrefix(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed.isEmpty ? "/" : String(trimmed)
    }

    /// `Exact`, `Prefix`, `ImplementationSpecific (prefix)` or `regex`, for explain and snapshots.
    public var kindName: String {
        switch self {
        case .exact: "Exact"
        case .prefix: "Prefix"
        case .characterPrefix: "ImplementationSpecific"
        case .regex: "Regex"
        }
    }
}
