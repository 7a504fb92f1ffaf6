import KubeModel

/// Where a matched request goes.
public enum RouteBackend: Hashable, Sendable {
    /// A cluster, by its index in ``RoutingSnapshot/clusters``.
    case cluster(Int)
    /// No usable backend: answer `status` (503 for a missing Service or port) with `reason` in the log. Boxed:
    /// rare, and larger than a cluster index, which every other route holds.
    indirect case unavailable(status: Int, reason: String)
}

/// The Ingress path a route came from (for explain, logs and conflict reports).
public struct RouteSource: Hashable, Sendable, CustomStringConvertible {
    /// The Ingress. Kept as namespace and name (the kind is always `Ingress`): every route holds a source, and the
    /// kind would be 16 bytes more in each.
    public var ingress: ObjectRef {
        get { ObjectRef(kind: "Ingress", namespace: ingressNamespace, name: ingressName) }
        set {
            ingressNamespace = newValue.namespace
            ingressName = newValue.name
        }
    }
    /// The Ingress's namespace.
    private var ingressNamespace: String?
    /// The Ingress's name.
    private var ingressName: String
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
        ingressNamespace = ingress.namespace
        ingressName = ingress.name
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
/// A copy-on-write value: the fields live in one box, so the copy the proxy makes for every request counts one
/// reference instead of every string and pattern inside. A route is made whole; the builder later sets only its
/// backend (clusters renumbered) and its HTTPS redirect, which edit the box in place when no other route shares it
/// and copy it first otherwise.
public struct Route: Sendable {
    /// The fields of a route.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        // Safety: a box is mutated only through `Route.unique()`, that is while no other route (on any thread)
        // holds it; a shared box is never written.
        @usableFromInline let source: RouteSource
        @usableFromInline let matcher: PathMatcher
        @usableFromInline var backend: RouteBackend
        /// Shared by the routes of one Ingress.
        @usableFromInline let policy: Boxed<RoutePolicy>
        /// The rewrite, boxed: most routes have none, and a nil reference is 8 bytes where the optional is 48.
        @usableFromInline let rewrite: Boxed<PathRewrite>?
        @usableFromInline var redirectToHTTPS: Bool

        init(
            source: RouteSource, matcher: PathMatcher, backend: RouteBackend, policy: Boxed<RoutePolicy>, rewrite: Boxed<PathRewrite>?,
            redirectToHTTPS: Bool
        ) {
            self.source = source
            self.matcher = matcher
            self.backend = backend
            self.policy = policy
            self.rewrite = rewrite
            self.redirectToHTTPS = redirectToHTTPS
        }

        /// A box with the same fields.
        func copy() -> Storage {
            Storage(source: source, matcher: matcher, backend: backend, policy: policy, rewrite: rewrite, redirectToHTTPS: redirectToHTTPS)
        }
    }

    @usableFromInline
    var storage: Storage

    /// Creates a route.
    public init(source: RouteSource, matcher: PathMatcher, backend: RouteBackend, policy: RoutePolicy, rewrite: PathRewrite?) {
        self.init(source: source, matcher: matcher, backend: backend, sharedPolicy: Boxed(policy), rewrite: rewrite)
    }

    /// Creates a route whose policy is shared with other routes (those of the same Ingress).
    init(source: RouteSource, matcher: PathMatcher, backend: RouteBackend, sharedPolicy: Boxed<RoutePolicy>, rewrite: PathRewrite?) {
        storage = Storage(
            source: source, matcher: matcher, backend: backend, policy: sharedPolicy, rewrite: rewrite.map(Boxed.init),
            redirectToHTTPS: false)
    }

    /// The box, made this route's own first if another route shares it.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// Where it came from.
    @inlinable public var source: RouteSource { storage.source }
    /// How the path is compared.
    @inlinable public var matcher: PathMatcher { storage.matcher }
    /// Where matching requests go.
    public var backend: RouteBackend {
        @inlinable get { storage.backend }
        set { unique().backend = newValue }
    }
    /// Per-route behaviour.
    @inlinable public var policy: RoutePolicy { storage.policy.value }
    /// The compiled rewrite (from `rewrite-target`), nil when the path is forwarded unchanged.
    @inlinable public var rewrite: PathRewrite? { storage.rewrite?.value }
    /// Plain HTTP requests get `308` to HTTPS: the host has TLS and `ssl-redirect` is on, or `force-ssl-redirect`.
    public var redirectToHTTPS: Bool {
        @inlinable get { storage.redirectToHTTPS }
        set {
            // Set again on every build, mostly to what it was: a box shared with an earlier snapshot stays shared.
            if storage.redirectToHTTPS != newValue { unique().redirectToHTTPS = newValue }
        }
    }

    /// The request target to send upstream for a request whose normalized path is `path` and whose raw query
    /// (without `?`) is `query`; nil when the target is forwarded exactly as received.
    public func upstreamTarget(path: String, query: Substring?) -> String? {
        guard let box = storage.rewrite else { return nil }
        return box.value.apply(path: path, query: query)
    }
}
