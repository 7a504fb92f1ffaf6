import KubeModel

/// What the snapshot decides for one request, step by step (used by explain, tests and fixtures; the data plane
/// takes the same decisions through ``RouteTable/match(host:path:)`` without building this value).
public struct RequestResolution: Sendable {
    /// The normalized host.
    public var host: String
    /// The normalized path.
    public var path: String
    /// The raw query, if any.
    public var query: Substring?
    /// How the host selected its rules.
    public var hostMatch: HostMatchKind
    /// The route taken (a path route, a host fallback or the default backend); nil means 404.
    public var route: Route?
    /// Whether the route is a fallback (`spec.defaultBackend`) rather than a path match.
    public var isFallback: Bool
    /// The cluster, when the backend resolved to one.
    public var cluster: Cluster?
    /// The target sent upstream (rewritten, or the original).
    public var upstreamTarget: String
    /// The status the proxy answers with before contacting a backend (404 or 503), nil when it proxies.
    public var earlyStatus: Int?
}

extension RoutingSnapshot {
    /// Resolves a request by Host header value and request target (origin-form, e.g. `/users?id=1`).
    public func resolve(host rawHost: String, target: String) -> RequestResolution? {
        guard let (path, query) = RequestPath.split(Substring(target)) else { return nil }
        let host = RequestHost.normalize(Substring(rawHost))
        var resolution = RequestResolution(
            host: host,
            path: path,
            query: query,
            hostMatch: .none,
            route: nil,
            isFallback: false,
            cluster: nil,
            upstreamTarget: target,
            earlyStatus: 404
        )
        if let (routes, kind) = routeTable.hostRoutes(for: host) {
            resolution.hostMatch = kind
            if let route = routes.match(path: path) {
                resolution.route = route
            } else {
                resolution.route = routes.fallback ?? routeTable.defaultRoute
                resolution.isFallback = true
            }
        } else {
            resolution.route = routeTable.defaultRoute
            resolution.isFallback = true
        }
        guard let route = resolution.route else { return resolution }
        if let rewritten = route.upstreamTarget(path: path, query: query) { resolution.upstreamTarget = rewritten }
        switch route.backend {
        case .unavailable(let status, _):
            resolution.earlyStatus = status
        case .cluster(let index):
            let cluster = clusters[index]
            resolution.cluster = cluster
            resolution.earlyStatus = cluster.endpoints.isEmpty ? 503 : nil
        }
        return resolution
    }
}
