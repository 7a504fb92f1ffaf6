import NIOCore

/// The comma-separated options of all `Connection` headers of a message. Well-known options are flags; the rest are
/// ranges into the head's bytes (case preserved) naming further hop-by-hop headers the proxy must strip.
public struct HTTP1ConnectionTokens: Sendable, Hashable {
    /// `close` was present.
    public var close: Bool = false
    /// `keep-alive` was present.
    public var keepAlive: Bool = false
    /// `upgrade` was present.
    public var upgrade: Bool = false
    /// `te` was present.
    public var te: Bool = false
    /// Every other option, in order, as ranges into the head's bytes.
    public var others: [Range<Int>] = []

    /// Creates an empty token set.
    public init() {}

    /// True when no Connection option was given.
    public var isEmpty: Bool {
        !close && !keepAlive && !upgrade && !te && others.isEmpty
    }
}
