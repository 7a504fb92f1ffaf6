/// Why an exchange failed: who failed, whether another attempt is safe, and the status the client gets.
public struct ProxyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The side that failed.
    public enum Side: String, Hashable, Sendable {
        /// The client (bad request, too large, too slow).
        case downstream
        /// The backend (refused, reset, timed out, spoke bad HTTP).
        case upstream
        /// Gatehouse itself (no route, no endpoint).
        case `internal`
    }

    /// The side that failed.
    public var side: Side
    /// The status answered when no response has started yet.
    public var status: Int
    /// Whether the request may be sent to another endpoint.
    public var retryable: Bool
    /// A short reason for the log.
    public var reason: String

    /// Creates an error.
    public init(side: Side, status: Int, retryable: Bool, reason: String) {
        self.side = side
        self.status = status
        self.retryable = retryable
        self.reason = reason
    }

    /// `side status: reason`.
    public var description: String { "\(side.rawValue) \(status): \(reason)" }

    /// The backend refused or reset the connection before answering (502, retryable when the request allows).
    public static func connectFailed(_ reason: String) -> ProxyError {
        ProxyError(side: .upstream, status: 502, retryable: true, reason: reason)
    }

    /// The backend did not accept the connection in time (504, retryable).
    public static let connectTimeout = ProxyError(side: .upstream, status: 504, retryable: true, reason: "upstream connect timed out")

    /// The backend went quiet for longer than the read or send timeout (504).
    public static let upstreamTimeout = ProxyError(side: .upstream, status: 504, retryable: false, reason: "upstream timed out")

    /// The backend closed the connection or sent malformed HTTP before a complete response (502).
    public static func upstreamFailed(_ reason: String) -> ProxyError {
        ProxyError(side: .upstream, status: 502, retryable: false, reason: reason)
    }
}
