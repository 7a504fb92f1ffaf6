import NIOCore

/// Size limits applied while parsing; exceeding one fails the message with the status named on each member.
public struct HTTP1Limits: Sendable, Hashable {
    /// Largest message head (start line through the final CRLF CRLF), and largest trailer section, in bytes (⇒ 431).
    public var maxHeadBytes: Int
    /// Most header (or trailer) fields in one section (⇒ 431).
    public var maxHeaderCount: Int
    /// Longest request line or status line, without its CRLF (⇒ 414 for requests).
    public var maxRequestLineBytes: Int
    /// Longest chunk-size line (size plus extensions), without its CRLF (⇒ 400).
    public var maxChunkHeaderBytes: Int
    /// Most empty lines (CRLF) skipped before a request line (RFC 9112 §2.2); one more ⇒ 400.
    public var maxLeadingEmptyLines: Int

    /// Creates limits; the defaults suit a public-facing proxy.
    public init(
        maxHeadBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxRequestLineBytes: Int = 8192,
        maxChunkHeaderBytes: Int = 4096,
        maxLeadingEmptyLines: Int = 4
    ) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxChunkHeaderBytes = maxChunkHeaderBytes
        self.maxLeadingEmptyLines = maxLeadingEmptyLines
    }
}
