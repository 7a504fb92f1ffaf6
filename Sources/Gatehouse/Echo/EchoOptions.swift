import NIOHTTP1

/// The behaviour switches a request asks for with `X-Echo-*` headers.
///
/// - `X-Echo-Status: N` answers status N (100...999 except 101; a 1xx is sent as an interim response
///   before the usual 200);
/// - `X-Echo-Response-Bytes: N` answers N pattern bytes (see ``EchoPattern``) instead of the JSON report;
/// - `X-Echo-Chunked: true` frames the body with chunked transfer coding instead of `Content-Length`;
/// - `X-Echo-Delay-Ms: N` waits N milliseconds (at most 600000) before answering;
/// - `X-Echo-Header-<Name>: value` adds the response header `<Name>: value` (replacing the echo's own
///   header of that name; framing headers cannot be set);
/// - `X-Echo-Close: true` answers with `Connection: close` and closes the connection.
///
/// Booleans accept `true`/`false`, `1`/`0`, `yes`/`no`. When a switch is repeated the last one wins.
struct EchoOptions: Sendable, Equatable {
    /// The largest delay accepted, in milliseconds.
    static let maximumDelayMilliseconds = 600_000
    /// Response headers an `X-Echo-Header-*` switch may not set, because the echo frames the message itself.
    static let reservedResponseHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]

    /// The status to answer, if not 200.
    var status: Int?
    /// The number of pattern bytes to answer instead of the JSON report.
    var responseBytes: Int?
    /// Whether to use chunked transfer coding for the body.
    var chunked = false
    /// How long to wait before answering.
    var delayMilliseconds = 0
    /// Extra response headers, in request order.
    var responseHeaders = HTTPHeaders()
    /// Whether to close the connection after the response.
    var close = false

    /// No switches: a plain 200 JSON report.
    init() {}

    /// Reads the switches from request headers; other headers are ignored.
    init(parsing headers: HTTPHeaders) throws(EchoOptionError) {
        let prefix = "x-echo-"
        let headerPrefix = "x-echo-header-"
        for (name, value) in headers {
            let lowercased = name.lowercased()
            guard lowercased.hasPrefix(prefix) else { continue }
            switch lowercased {
            case "x-echo-status":
                guard let code = Int(value), (100...999).contains(code), code != 101 else {
                    throw EchoOptionError(header: name, value: value, expected: "a status code in 100...999 other than 101")
                }
                self.status = code
            case "x-echo-response-bytes":
                guard let count = Int(value), count >= 0 else {
                    throw EchoOptionError(header: name, value: value, expected: "a non-negative byte count")
                }
                self.responseBytes = count
            case "x-echo-chunked":
                self.chunked = try Self.parseBool(name: name, value: value)
            case "x-echo-delay-ms":
                guard let delay = Int(value), (0...Self.maximumDelayMilliseconds).contains(delay) else {
                    throw EchoOptionError(
                        header: name,
                        value: value,
                        expected: "milliseconds in 0...\(Self.maximumDelayMilliseconds)"
                    )
                }
                self.delayMilliseconds = delay
            case "x-echo-close":
                self.close = try Self.parseBool(name: name, value: value)
            default:
                guard lowercased.hasPrefix(headerPrefix) else { continue }
                let responseName = String(name.dropFirst(headerPrefix.count))
                guard !responseName.isEmpty else {
                    throw EchoOptionError(header: name, value: value, expected: "a header name after X-Echo-Header-")
                }
                guard !Self.reservedResponseHeaders.contains(responseName.lowercased()) else {
                    throw EchoOptionError(header: name, value: value, expected: "a header other than framing headers")
                }
                self.responseHeaders.add(name: responseName, value: value)
            }
        }
    }

    /// Parses a boolean switch value.
    private static func parseBool(name: String, value: String) throws(EchoOptionError) -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw EchoOptionError(header: name, value: value, expected: "true or false")
        }
    }
}

/// An `X-Echo-*` header whose value the echo cannot use; answered with 400 and this description.
struct EchoOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header name as received.
    var header: String
    /// The rejected value.
    var value: String
    /// What the header accepts.
    var expected: String

    /// A one-line explanation, e.g. `X-Echo-Status: "abc" is invalid (expected a status code …)`.
    var description: String {
        "\(self.header): \"\(self.value)\" is invalid (expected \(self.expected))"
    }
}
