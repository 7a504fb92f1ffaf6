/// Typed per-route behaviour, parsed once from an Ingress's annotations (never pasted as text anywhere).
public struct RoutePolicy: Hashable, Sendable {
    /// `rewrite-target`: the replacement for the whole path when the route's path pattern matches (`$1`… captures).
    public var rewriteTarget: String?
    /// `use-regex`: the Ingress's paths are case-insensitive regular expressions anchored at the start.
    public var useRegex: Bool
    /// `proxy-connect-timeout`, in seconds.
    public var connectTimeoutSeconds: Int
    /// `proxy-read-timeout`: the longest wait between two reads from the upstream, in seconds.
    public var readTimeoutSeconds: Int
    /// `proxy-send-timeout`: the longest wait between two writes to the upstream, in seconds.
    public var sendTimeoutSeconds: Int
    /// `proxy-body-size`: the largest request body in bytes; nil means unlimited (`0`).
    public var maxBodyBytes: Int?
    /// `proxy-next-upstream-tries`: how many endpoints a failed connect may try in all.
    public var upstreamTries: Int

    /// ingress-nginx's defaults: 5 s connect, 60 s read and send, 1 MiB body, 3 tries.
    public static let defaults = RoutePolicy()

    /// Creates a policy with ingress-nginx's defaults unless told otherwise.
    public init(
        rewriteTarget: String? = nil,
        useRegex: Bool = false,
        connectTimeoutSeconds: Int = 5,
        readTimeoutSeconds: Int = 60,
        sendTimeoutSeconds: Int = 60,
        maxBodyBytes: Int? = 1024 * 1024,
        upstreamTries: Int = 3
    ) {
        self.rewriteTarget = rewriteTarget
        self.useRegex = useRegex
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.sendTimeoutSeconds = sendTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.upstreamTries = upstreamTries
    }

    /// Whether this Ingress may turn its hosts into regular-expression mode (as ingress-nginx does for
    /// `use-regex` and for `rewrite-target`; the builder decides per path, since a `rewrite-target` equal to the
    /// path rewrites nothing).
    public var enforcesRegex: Bool { useRegex || rewriteTarget != nil }
}
