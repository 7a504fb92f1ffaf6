import NIOCore

/// A parsed message head. `bytes` holds the head's raw bytes exactly as received (start line through the final
/// CRLF CRLF); every range indexes into it (offsets from `bytes.readerIndex`, which is 0). Framing and connection
/// facts are derived while parsing, so nobody re-scans the bytes.
public struct HTTP1Head: HTTP1FieldSection, Sendable, Equatable {
    /// The raw head. It is a slice sharing storage with the parser's input buffer.
    public var bytes: ByteBuffer
    /// The protocol version of the start line.
    public var version: HTTP1Version
    /// The header fields, in the order received.
    public var headers: [HTTP1HeaderField]

    /// Requests: the method. Empty for responses.
    public var methodRange: Range<Int> = 0..<0
    /// Requests: the request target, as received. Empty for responses.
    public var targetRange: Range<Int> = 0..<0

    /// Responses: the status code (100...599). 0 for requests.
    public var status: Int = 0
    /// Responses: the reason phrase (may be empty). Empty for requests.
    public var reasonRange: Range<Int> = 0..<0

    /// The validated Content-Length, nil when absent (for HEAD/204/304 responses it does not frame a body).
    public var contentLength: Int?
    /// Whether Transfer-Encoding is exactly `chunked`.
    public var isChunked: Bool = false
    /// Whether the connection stays open after this message: from the version and the Connection options, and false
    /// for a response whose body runs until the connection closes.
    public var keepAlive: Bool = true
    /// The options of the Connection headers (the proxy strips the headers they name).
    public var connectionTokens = HTTP1ConnectionTokens()
    /// Requests: index in `headers` of the single Host header.
    public var hostIndex: Int?
    /// Requests: `Expect: 100-continue` was sent.
    public var expectsContinue: Bool = false
    /// Index in `headers` of the first Upgrade header, if any.
    public var upgradeIndex: Int?
    /// How the body that follows this head is delimited (which body events come before `.end`).
    public var bodyFraming: HTTP1BodyFraming = .none

    /// Creates a head over raw bytes; the parsers fill in the rest.
    public init(bytes: ByteBuffer, version: HTTP1Version, headers: [HTTP1HeaderField]) {
        self.bytes = bytes
        self.version = version
        self.headers = headers
    }

    /// Requests: the method bytes.
    public var methodBytes: ByteBufferView { view(methodRange) }
    /// Requests: the request-target bytes.
    public var targetBytes: ByteBufferView { view(targetRange) }
    /// Requests: the method as a String.
    public var method: String { string(methodRange) }
    /// Requests: the request target as a String.
    public var target: String { string(targetRange) }
    /// Responses: the reason phrase as a String.
    public var reason: String { string(reasonRange) }
    /// Requests: the Host value as received (lowercasing is the caller's job), nil if there is none.
    public var host: String? { hostIndex.map { valueString(at: $0) } }

    /// Requests: whether the method is exactly `method` (methods are case-sensitive), compared on bytes.
    public func isMethod(_ method: StaticString) -> Bool {
        method.withUTF8Buffer { m in
            bytes.withUnsafeReadableBytes { p in
                guard methodRange.count == m.count, methodRange.upperBound <= p.count else { return false }
                var i = methodRange.lowerBound
                for b in m {
                    if p[i] != b { return false }
                    i &+= 1
                }
                return true
            }
        }
    }

    /// Responses: an interim (1xx other than 101) head; `.end` follows and then the next head of the same exchange.
    public var isInterim: Bool { status >= 100 && status < 200 && status != 101 }

    /// Whether the header at `index` is named by a Connection option and so is hop-by-hop.
    public func isNominatedByConnection(_ index: Int) -> Bool {
        let field = headers[index]
        switch field.kind {
        case .keepAlive: return connectionTokens.keepAlive
        case .upgrade: return connectionTokens.upgrade
        case .te: return connectionTokens.te
        case .connection: return false
        default: break
        }
        if connectionTokens.others.isEmpty { return false }
        return bytes.withUnsafeReadableBytes { p in
            connectionTokens.others.contains { HTTP1Scanner.equalsIgnoringCase(p, $0, field.name) }
        }
    }

    /// The Connection options, lowercased (allocates; for logs and tests, not the hot path).
    public var connectionTokenStrings: [String] {
        var result: [String] = []
        if connectionTokens.close { result.append("close") }
        if connectionTokens.keepAlive { result.append("keep-alive") }
        if connectionTokens.upgrade { result.append("upgrade") }
        if connectionTokens.te { result.append("te") }
        for range in connectionTokens.others { result.append(string(range).lowercased()) }
        return result
    }
}
