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
///
/// A value type whose fields live in one shared, immutable box: the proxy copies the matched route into every
/// request, and a copy then counts one reference instead of every string and pattern inside. Setting a field (only
/// the builder does) makes a new box.
public struct Route: Sendable {
    /// The fields of a route.
    @usableFromInline
    final class Storage: Sendable {
        @usableFromInline let source: RouteSource
        @usableFromInline let matcher: PathMatcher
        @usableFromInline let backend: RouteBackend
        @usableFromInline let policy: RoutePolicy
        @usableFromInline let rewrite: PathRewrite?
        @usableFromInline let redirectToHTTPS: Bool

        init(
            source: RouteSource, matcher: PathMatcher, backend: RouteBackend, policy: RoutePolicy, rewrite: PathRewrite?,
            redirectToHTTPS: Bool
        ) {
            self.source = source
            self.matcher = matcher
            self.backend = backend
            self.policy = policy
            self.rewrite = rewrite
            self.redirectToHTTPS = redirectToHTTPS
        }
    }

    @usableFromInline
    var storage: Storage

    /// Creates a route.
    public init(source: RouteSource, matcher: PathMatcher, backend: RouteBackend, policy: RoutePolicy, rewrite: PathRewrite?) {
        storage = Storage(source: source, matcher: matcher, backend: backend, policy: policy, rewrite: rewrite, redirectToHTTPS: false)
    }

    /// A copy of `storage` with some fields replaced.
    private func with(
        source: RouteSource? = nil, matcher: PathMatcher? = nil, backend: RouteBackend? = nil, policy: RoutePolicy? = nil,
        rewrite: PathRewrite?? = nil, redirectToHTTPS: Bool? = nil
    ) -> Storage {
        Storage(
            source: source ?? storage.source, matcher: matcher ?? storage.matcher, backend: backend ?? storage.backend,
            policy: policy ?? storage.policy, rewrite: rewrite ?? storage.rewrite,
            redirectToHTTPS: redirectToHTTPS ?? storage.redirectToHTTPS)
    }

    /// Where it came from.
    public var source: RouteSource {
        @inlinable get { storage.source }
        set { storage = with(source: newValue) }
    }
    /// How the path is compared.
    public var matcher: PathMatcher {
        @inlinable get { storage.matcher }
        set { storage = with(matcher: newValue) }
    }
    /// Where matching requests go.
    public var backend: RouteBackend {
        @inlinable get { storage.backend }
        set { storage = with(backend: newValue) }
    }
    /// Per-route behaviour.
    public var policy: RoutePolicy {
        @inlinable get { storage.policy }
        set { storage = with(policy: newValue) }
    }
    /// The compiled rewrite (from `rewrite-target`), nil when the path is forwarded unchanged.
    public var rewrite: PathRewrite? {
        @inlinable get { storage.rewrite }
        set { storage = with(rewrite: .some(newValue)) }
    }
    /// Plain HTTP requests get `308` to HTTPS: the host has TLS and `ssl-redirect` is on, or `force-ssl-redirect`.
    public var redirectToHTTPS: Bool {
        @inlinable get { storage.redirectToHTTPS }
        set { storage = with(redirectToHTTPS: newValue) }
    }

    /// The request target to send upstream for a request whose normalized path is `path` and whose raw query
    /// (without `?`) is `query`; nil when the target is forwarded exactly as received.
    public func upstreamTarget(path: String, query: Substring?) -> String? {
        guard let rewrite else { return nil }
        return rewrite.apply(path: path, query: query)
    }
}
