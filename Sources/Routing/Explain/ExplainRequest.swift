/// The request `gatehouse explain` traces, parsed from a URL such as `https://api.example.com/users?id=1`.
///
/// Parsed by hand (no Foundation `URL`): the scheme (`http` when omitted), the authority (user info dropped), the
/// port (the scheme's default when omitted) and the origin-form target sent in the request line (fragment dropped).
public struct ExplainRequest: Hashable, Sendable, Codable {
    /// The URL as given.
    public var url: String
    /// `http` or `https`.
    public var scheme: String
    /// The `Host` header value the client sends (with the port when the URL names one).
    public var hostHeader: String
    /// The host name as matching sees it (lowercase, without port and trailing dot).
    public var host: String
    /// The port the client connects to.
    public var port: Int
    /// The origin-form request target, e.g. `/users?id=1`.
    public var target: String

    /// Why a URL cannot be explained.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var message: String

        /// A one-line explanation.
        public var description: String { message }
    }

    /// Parses `url`; throws for another scheme, a missing host or a bad port.
    public init(url: String) throws(ParseError) {
        self.url = url
        var rest = Substring(url)
        if let separator = rest.range(of: "://") {
            scheme = rest[..<separator.lowerBound].lowercased()
            rest = rest[separator.upperBound...]
        } else {
            scheme = "http"
        }
        guard scheme == "http" || scheme == "https" else {
            throw ParseError(message: "unsupported scheme \"\(scheme)\" in \(url): use http or https")
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let remainder = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostPart = authority
        var explicitPort: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(message: "unterminated IPv6 address in \(url)") }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { explicitPort = try Self.port(after.dropFirst(), in: url) }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            explicitPort = try Self.port(authority[authority.index(after: colon)...], in: url)
        }
        guard !hostPart.isEmpty else { throw ParseError(message: "no host in \(url)") }
        port = explicitPort ?? (scheme == "https" ? 443 : 80)
        hostHeader = explicitPort == nil ? String(hostPart) : "\(hostPart):\(port)"
        host = RequestHost.normalize(hostPart)
        if remainder.isEmpty {
            target = "/"
        } else if remainder.hasPrefix("?") {
            target = "/" + remainder
        } else {
            target = String(remainder)
        }
    }

    /// Parses a port number (1…65535).
    private static func port(_ text: Substring, in url: String) throws(ParseError) -> Int {
        guard let value = Int(text), (1...65535).contains(value) else {
            throw ParseError(message: "invalid port \"\(text)\" in \(url)")
        }
        return value
    }
}
