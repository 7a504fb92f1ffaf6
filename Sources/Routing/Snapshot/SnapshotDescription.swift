import Foundation
import KubeModel

/// A stable, sorted JSON rendering of a snapshot, for golden fixtures and `--output json` diagnostics.
public enum SnapshotDescription {
    /// One line describing a route: `Prefix /foo → ns/svc:80 (ns/ing spec.rules[0].http.paths[0]) rewrite "/"`.
    public static func describe(_ route: Route, in snapshot: RoutingSnapshot) -> String {
        var text = "\(route.matcher.kindName) \(route.source.path.isEmpty ? "*" : route.source.path) → "
        switch route.backend {
        case .cluster(let index): text += snapshot.clusters[index].id.description
        case .unavailable(let status, let reason): text += "\(status) (\(reason))"
        }
        text += " (\(route.source))"
        if let rewrite = route.rewrite { text += " rewrite \"\(rewrite.target)\"" }
        return text
    }

    /// The snapshot as a JSON-compatible dictionary (sorted keys when serialized).
    public static func dictionary(_ snapshot: RoutingSnapshot) -> [String: Any] {
        func hostDictionary(_ routes: HostRoutes) -> [String: Any] {
            var entry: [String: Any] = [
                "regexMode": routes.regexMode,
                "exact": routes.exact.keys.sorted().compactMap { routes.exact[$0].map { describe($0, in: snapshot) } },
                "ordered": routes.ordered.map { describe($0, in: snapshot) },
            ]
            if let fallback = routes.fallback { entry["fallback"] = describe(fallback, in: snapshot) }
            return entry
        }
        var hosts: [String: Any] = [:]
        for (host, routes) in snapshot.routeTable.exactHosts { hosts[host] = hostDictionary(routes) }
        for (suffix, routes) in snapshot.routeTable.wildcardHosts { hosts["*." + suffix] = hostDictionary(routes) }
        if let any = snapshot.routeTable.anyHost { hosts["*"] = hostDictionary(any) }
        var clusters: [String: Any] = [:]
        for cluster in snapshot.clusters {
            clusters[cluster.id.description] = [
                "ready": cluster.endpoints.map(\.description),
                "notReady": cluster.allEndpoints.filter { !$0.ready }.map(\.description),
                "source": cluster.endpointSource,
            ]
        }
        var result: [String: Any] = [
            "hosts": hosts,
            "clusters": clusters,
            "served": snapshot.servedIngresses.map(\.description),
            "issues": snapshot.issues.map { "\($0.severity.rawValue): \($0)" },
        ]
        if let route = snapshot.routeTable.defaultRoute { result["defaultBackend"] = describe(route, in: snapshot) }
        return result
    }

    /// One line for a resolved request: the status or cluster, the route and the upstream target.
    public static func describe(_ resolution: RequestResolution?, in snapshot: RoutingSnapshot) -> String {
        guard let resolution else { return "400 (not an origin-form target)" }
        guard let route = resolution.route else { return "404 (host match: \(resolution.hostMatch.rawValue))" }
        let kind = resolution.isFallback ? "fallback" : "match"
        var text =
            "\(resolution.earlyStatus.map(String.init) ?? "proxy") \(kind) [\(resolution.hostMatch.rawValue) host] \(describe(route, in: snapshot))"
        if resolution.cluster != nil, resolution.earlyStatus == nil { text += " target \(resolution.upstreamTarget)" }
        return text
    }

    /// Serializes a dictionary as pretty, key-sorted JSON text ending in a newline.
    public static func json(_ object: Any) -> String {
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
