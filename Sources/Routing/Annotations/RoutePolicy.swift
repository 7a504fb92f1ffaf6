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
    /// `ssl-redirect`: plain HTTP requests for hosts with TLS get `308` to HTTPS (default true).
    public var sslRedirect: Bool
    /// `force-ssl-redirect`: redirect to HTTPS even for hosts without TLS.
    public var forceSSLRedirect: Bool
    /// `backend-protocol`: how Gatehouse talks to the Pods.
    public var backendProtocol: BackendProtocol

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
        upstreamTries: Int = 3,
        sslRedirect: Bool = true,
        forceSSLRedirect: Bool = false,
        backendProtocol: BackendProtocol = .http
    ) {
        self.rewriteTarget = rewriteTarget
        self.useRegex = useRegex
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.sendTimeoutSeconds = sendTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.upstreamTries = upstreamTries
        self.sslRedirect = sslRedirect
        self.forceSSLRedirect = forceSSLRedirect
        self.backendProtocol = backendProtocol
    }

    /// Whether this Ingress may turn its hosts into regular-expression mode (as ingress-nginx does for
    /// `use-regex` and for `rewrite-target`; the builder decides per path, since a `rewrite-target` equal to the
    /// path rewrites nothing).
    public var enforcesRegex: Bool { useRegex || rewriteTarget != nil }
}

/// ingress-nginx's `backend-protocol` values Gatehouse speaks to Pods.
public enum BackendProtocol: String, Hashable, Sendable, CaseIterable {
    /// HTTP/1.1 in clear text (the default).
    case http = "HTTP"
    /// HTTP/1.1 over TLS (the Pod's certificate is not verified, as in ingress-nginx).
    case https = "HTTPS"
    /// gRPC: HTTP/2 in clear text (h2c with prior knowledge).
    case grpc = "GRPC"
    /// gRPC over TLS (HTTP/2 negotiated with ALPN).
    case grpcs = "GRPCS"

    /// Whether the upstream connection uses TLS.
    public var usesTLS: Bool { self == .https || self == .grpcs }
    /// Whether the upstream connection speaks HTTP/2.
    public var usesHTTP2: Bool { self == .grpc || self == .grpcs }
}
