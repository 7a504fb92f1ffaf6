/// The JSON body the echo answers: what it received on one request.
///
/// Encoded with sorted keys; absent optional values are written as `null`, never left out.
struct EchoReport: Codable, Sendable, Equatable {
    /// The echo server's `--name`.
    var name: String
    /// The request method, e.g. `GET`.
    var method: String
    /// The request-target exactly as received, e.g. `/a%2Fb?x=1`.
    var target: String
    /// The target up to (not including) the first `?`.
    var path: String
    /// The raw query after the first `?`, or `nil` when the target has no `?`.
    var query: String?
    /// The `Host` header, or `nil` when absent.
    var host: String?
    /// Headers by lowercased name; repeated headers joined with `", "` in order.
    var headers: [String: String]
    /// Every header as received (name case kept), in order, each as `[name, value]`.
    var headerList: [[String]]
    /// The request's HTTP version, e.g. `HTTP/1.1`.
    var version: String
    /// How many request body bytes arrived.
    var bodyBytes: Int
    /// The FNV-1a 64-bit checksum of the request body, as 16 hex digits.
    var bodyFNV1a64: String
    /// The peer's IP address, or `nil` when the connection has none (e.g. a Unix socket).
    var remoteAddress: String?
    /// The local port the request arrived on, or `nil` when the connection has none.
    var localPort: Int?

    /// The JSON keys.
    enum CodingKeys: String, CodingKey {
        case name, method, target, path, query, host, headers, headerList, version, bodyBytes, bodyFNV1a64
        case remoteAddress, localPort
    }

    /// Encodes every key, writing `null` for absent optionals.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.method, forKey: .method)
        try container.encode(self.target, forKey: .target)
        try container.encode(self.path, forKey: .path)
        try container.encode(self.query, forKey: .query)
        try container.encode(self.host, forKey: .host)
        try container.encode(self.headers, forKey: .headers)
        try container.encode(self.headerList, forKey: .headerList)
        try container.encode(self.version, forKey: .version)
        try container.encode(self.bodyBytes, forKey: .bodyBytes)
        try container.encode(self.bodyFNV1a64, forKey: .bodyFNV1a64)
        try container.encode(self.remoteAddress, forKey: .remoteAddress)
        try container.encode(self.localPort, forKey: .localPort)
    }
}
