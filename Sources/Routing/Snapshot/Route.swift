import KubeModel

/// Where a matched request goes.
public enum RouteBackend: Hashable, Sendable {
    /// A cluster, by its index in ``RoutingSnapshot/clusters``.
    case cluster(Int)
    /// No usable backend: answer `status` (503 for a missing Service or port) with `reason` in the log.
    case unavailable(status: Int, reason: String)
}

/// The Ingress path a route came from (for explain, logs and conflict reports).
public struct RouteSource: Hashable, Sendable, CustomStringConvertible {
    /// The Ingress.
    public var ingress: ObjectRef
    /// The field path of the rule's path, e.g. `spec.rules[0].http.paths[1]`, or `spec.defaultBackend`.
    public var field: String
    /// The host as written (empty for every host).
    public var host: String
    /// The path as written.
    public var path: String
    /// `Exact`, `Prefix`, `ImplementationSpecific`, or `Default` for a default backend.
    public var pathType: String

    /// Creates a source.
    public init(ingress: ObjectRef, field: String, host: String, path: String, pathType: String) {
        self.ingress = ingress
        self.field = field
        self.host = host
        self.path = path
        self.pathType = pathType
    }

    /// `namespace/name spec.rules[0].http.paths[1]`.
    public var description: String { "\(ingress) \(field)" }
}

/// One compiled route: how it matches, where it goes, and its typed policy.
public struct Route: Sendable {
    /// Where it came from.
    public var source: RouteSource
    /// How the path is compared.
    public var matcher: PathMatcher
    /// Where matching requests go.
    public var backend: RouteBackend
    /// Per-route behaviour.
    public var policy: RoutePolicy
    /// The compiled rewrite (from `rewrite-target`), nil when the path is forwarded unchanged.
    public var rewrite: PathRewrite?
    /// Plain HTTP requests get `308` to HTTPS: the host has TLS and `ssl-redirect` is on, or `force-ssl-redirect`.
    public var redirectToHTTPS = false

    /// Creates a route.
    public init(source: RouteSource, matcher: PathMatcher, backend: RouteBackend, policy: RoutePolicy, rewrite: PathRewrite?) {
        self.source = source
        self.matcher = matcher
        self.backend = backend
        self.policy = policy
        self.rewrite = rewrite
    }

    /// The request target to send upstream for a request whose normalized path is `path` and whose raw query
    /// (without `?`) is `query`; nil when the target is forwarded exactly as received.
    public func upstreamTarget(path: String, query: Substring?) -> String? {
        guard let rewrite else { return nil }
        return rewrite.apply(path: path, query: query)
    }
}
