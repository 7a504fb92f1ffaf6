/// The compiled routes of one host (all Ingresses for that host merged).
/// Lookup: Exact paths by dictionary, then prefix-like routes longest first (or, in regex mode, regexes in
/// ingress-nginx's order: longest pattern first, first match wins), then the host's fallback backend.
public struct HostRoutes: Sendable {
    /// Exact routes by path.
    public var exact: [String: Route]
    /// Prefix, ImplementationSpecific or regex routes in match order.
    public var ordered: [Route]
    /// Requests for this host that match no path go here (an Ingress's `spec.defaultBackend`); nil = global default.
    public var fallback: Route?
    /// Whether the host is in regex mode.
    public var regexMode: Bool

    /// Creates compiled host routes.
    public init(exact: [String: Route], ordered: [Route], fallback: Route?, regexMode: Bool) {
        self.exact = exact
        self.ordered = ordered
        self.fallback = fallback
        self.regexMode = regexMode
    }

    /// Sets each route's HTTPS redirect: the host has TLS and `ssl-redirect` is on, or `force-ssl-redirect`.
    mutating func markRedirects(hostHasTLS: Bool) {
        func mark(_ route: inout Route) {
            route.redirectToHTTPS = (hostHasTLS && route.policy.sslRedirect) || route.policy.forceSSLRedirect
        }
        // Walked by index: `exact.values.indices` would hold the table, and the first write would copy it.
        var index = exact.values.startIndex
        while index != exact.values.endIndex {
            mark(&exact.values[index])
            exact.values.formIndex(after: &index)
        }
        for index in ordered.indices { mark(&ordered[index]) }
        if var route = fallback {
            mark(&route)
            fallback = route
        }
    }

    /// Calls `body` with every route, the fallback included.
    func forEachRoute(_ body: (Route) -> Void) {
        for route in exact.values { body(route) }
        for route in ordered { body(route) }
        if let fallback { body(fallback) }
    }

    /// These routes with `transform` applied to each, the fallback included (the order stays).
    func mapRoutes(_ transform: (Route) -> Route) -> HostRoutes {
        HostRoutes(
            exact: exact.mapValues(transform), ordered: ordered.map(transform), fallback: fallback.map(transform), regexMode: regexMode)
    }

    /// The route for a normalized path, not counting the fallback.
    public func match(path: String) -> Route? {
        if !exact.isEmpty, let route = exact[path] { return route }
        for route in ordered where route.matcher.matches(path) { return route }
        return nil
    }
}

/// How a request's host selected its host routes.
public enum HostMatchKind: String, Hashable, Sendable {
    /// The Host equals a rule's host.
    case exact
    /// The Host matched a `*.suffix` rule (one extra label).
    case wildcard
    /// Rules without a host (they match every host).
    case any
    /// No host rules matched at all.
    case none
}

/// The compiled routing table: exact hosts by dictionary, wildcard hosts by their suffix, then the rules without
/// host; then the default backend. Lookup cost does not grow with the number of Ingresses.
public struct RouteTable: Sendable {
    /// Hosts written exactly.
    public var exactHosts: [String: HostRoutes]
    /// Wildcard hosts by the suffix after `*.` (`*.foo.com` is stored under `foo.com`).
    public var wildcardHosts: [String: HostRoutes]
    /// Rules without a host.
    public var anyHost: HostRoutes?
    /// The catch-all: the `spec.defaultBackend` of the oldest Ingress without rules; nil = 404.
    public var defaultRoute: Route?

    /// Creates a table.
    public init(exactHosts: [String: HostRoutes], wildcardHosts: [String: HostRoutes], anyHost: HostRoutes?, defaultRoute: Route?) {
        self.exactHosts = exactHosts
        self.wildcardHosts = wildcardHosts
        self.anyHost = anyHost
        self.defaultRoute = defaultRoute
    }

    /// An empty table: every request gets 404.
    public static let empty = RouteTable(exactHosts: [:], wildcardHosts: [:], anyHost: nil, defaultRoute: nil)

    /// The host routes for a normalized host (lowercase, no port) and how they were selected.
    public func hostRoutes(for host: String) -> (HostRoutes, HostMatchKind)? {
        if let routes = exactHosts[host] { return (routes, .exact) }
        if !wildcardHosts.isEmpty, let dot = host.utf8.firstIndex(of: UInt8(ascii: ".")), dot != host.utf8.startIndex {
            let suffix = String(host[host.utf8.index(after: dot)...])
            if let routes = wildcardHosts[suffix] { return (routes, .wildcard) }
        }
        if let anyHost { return (anyHost, .any) }
        return nil
    }

    /// The route for a request: normalized host and path. Nil means no route and no default backend (404).
    public func match(host: String, path: String) -> Route? {
        match(path: path, in: hostRoutes(for: host))
    }

    /// ``match(host:path:)`` for a caller that matches many requests against this table: `memo` keeps the host
    /// routes of the last host, so a run of requests for one host compares the host instead of hashing it again.
    /// The memo belongs to this table: start a new one when the table changes.
    public func match(host: String, path: String, memo: inout HostRoutesMemo) -> Route? {
        if memo.host != host {
            memo.found = hostRoutes(for: host)
            memo.host = host
        }
        return match(path: path, in: memo.found)
    }

    /// The route for `path` among the host routes found for the request's host (none: the default backend).
    private func match(path: String, in found: (HostRoutes, HostMatchKind)?) -> Route? {
        guard let (routes, _) = found else { return defaultRoute }
        return routes.match(path: path) ?? routes.fallback ?? defaultRoute
    }
}

/// The host routes a ``RouteTable`` found for the host looked up last (see ``RouteTable/match(host:path:memo:)``).
public struct HostRoutesMemo: Sendable {
    /// The host looked up last (nil: none yet).
    fileprivate var host: String?
    /// What the table found for it.
    fileprivate var found: (HostRoutes, HostMatchKind)?

    /// An empty memo.
    public init() {}
}
