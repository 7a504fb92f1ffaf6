import NIOCore

/// The HTTP/1.x protocol versions the parsers accept; anything else is refused with 505.
public enum HTTP1Version: Sendable, Hashable {
    /// `HTTP/1.0`: connections close after each message unless `Connection: keep-alive` says otherwise.
    case http1_0
    /// `HTTP/1.1`: persistent connections by default.
    case http1_1

    /// The minor version number (0 or 1).
    public var minor: Int {
        switch self {
        case .http1_0: return 0
        case .http1_1: return 1
        }
    }

    /// The version as written on the wire, e.g. `HTTP/1.1`.
    public var text: StaticString {
        switch self {
        case .http1_0: return "HTTP/1.0"
        case .http1_1: return "HTTP/1.1"
        }
    }
}
