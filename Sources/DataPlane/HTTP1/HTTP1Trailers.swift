import NIOCore

/// The trailer section of a chunked body. Fields are reported as received (with their kinds); the proxy decides
/// which to forward (framing fields such as Content-Length or Transfer-Encoding must not be).
public struct HTTP1Trailers: HTTP1FieldSection, Sendable, Equatable {
    /// The trailer field lines and the final empty line, exactly as received.
    public var bytes: ByteBuffer
    /// The trailer fields, in order.
    public var headers: [HTTP1HeaderField]

    /// Creates trailers from raw bytes and fields indexing them.
    public init(bytes: ByteBuffer, headers: [HTTP1HeaderField]) {
        self.bytes = bytes
        self.headers = headers
    }
}
