import NIOCore

/// One step of parsing, returned by `next(_:)`. Call `next` again until `.needMoreData`.
///
/// A message is `.head`, then zero or more `.body`, then at most one `.trailers` (chunked only), then `.end`.
public enum HTTP1ParseEvent: Sendable, Equatable {
    /// A complete message head. For responses, an interim 1xx head (see `HTTP1Head.isInterim`) is followed by `.end`
    /// and then by the next head of the same exchange.
    case head(HTTP1Head)
    /// A piece of body (chunk framing removed): a slice of the caller's buffer, not a copy.
    case body(ByteBuffer)
    /// The trailer section of a chunked body (only when it has at least one field).
    case trailers(HTTP1Trailers)
    /// The message is complete; the parser is ready for the next one on the same connection.
    case end
    /// Everything available was consumed or is waiting for more bytes; append more and call again.
    case needMoreData
    /// The input is malformed or over a limit. The parser stays failed: answer `error.status` and close.
    case error(HTTP1ParseError)
}
