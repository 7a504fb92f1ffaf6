import NIOCore

/// How the body of a parsed message is delimited, i.e. which body events follow its head.
public enum HTTP1BodyFraming: Sendable, Hashable {
    /// No body: `.end` follows the head directly.
    case none
    /// Exactly this many bytes (greater than zero) of body follow.
    case contentLength(Int)
    /// Chunked transfer coding: decoded chunk data, then optional trailers, then `.end`.
    case chunked
    /// Responses only: the body runs until the connection closes (`inputClosed()` yields `.end`).
    case untilClose
}
