import KubeModel

/// Turns a ``ClusterState`` into a ``RoutingSnapshot`` with the Ingress v1 semantics. Pure: same input, same output.
/// A problem with one object becomes an issue on that object and leaves everything else intact.
public struct SnapshotBuilder {
    /// The objects to translate.
    public let state: ClusterState
    /// Controller settings.
    public let options: RoutingOptions
    /// Checks TLS Secrets (parses the chain and key); nil accepts any Secret with `tls.crt` and `tls.key`.
    public let inspector: (any CertificateInspector)?
    /// The current time (seconds since 1970) for certificate validity; nil skips the validity check.
    public let now: Int?

    /// Creates a builder.
    public init(state: ClusterState, options: RoutingOptions, inspector: (any CertificateInspector)? = nil, now: Int? = nil) {
        self.state = state
        self.options = options
        self.inspector = inspector
        self.now = now
    }

    /// One path candidate before compilation: the parts of its route, which is made once, when compiled (a route
    /// made here and edited there would be a second box for every route of the snapshot).
    struct Candidate {
        var source: RouteSource
        var backend: RouteBackend
        /// Its Ingress's policy, shared by the routes of that Ingress.
        var policy: Boxed<RoutePolicy>
    }

    /// Routes of one host while collecting.
    struct HostCollector {
        var candidates: [Candidate] = []
        var owners: [String: ObjectRef] = [:]
        var regexMode = false
        var fallback: Route?
    }

    /// Builds the snapshot numbered `version` (an ``IncrementalSnapshotBuilder`` that has not built before).
    public func build(version: Int) -> RoutingSnapshot {
        var builder = IncrementalSnapshotBuilder()
        return builder.build(state: state, options: options, inspector: inspector, now: now, version: version)
    }

    /// Whether a rule host is listed in some `spec.tls` (exactly, or under a `*.` TLS host).
    static func isCovered(_ host: String, by tlsHosts: Set<String>) -> Bool {
        if host.isEmpty { return false }
        if tlsHosts.contains(host) { return true }
        guard !host.hasPrefix("*."), let dot = host.firstIndex(of: "."), dot != host.startIndex else { return false }
        return tlsHosts.contains("*" + host[dot...])
    }

    /// Compiles collected paths: matchers per path type and regex mode, then the lookup order.
    static func compile(_ collector: HostCollector, issues: inout [ConfigIssue]) -> HostRoutes {
        var exact: [String: Route] = [:]
        var ordered: [(route: Route, rank: Int, age: Int)] = []
        ordered.reserveCapacity(collector.candidates.count)
        for (age, candidate) in collector.candidates.enumerated() {
            let path = candidate.source.path
            var rewrite: PathRewrite?
            if let target = candidate.policy.value.rewriteTarget, needsRewrite(candidate.policy.value, path: path) {
                do {
                    rewrite = PathRewrite(pattern: try PatternRegex(path), target: target)
                } catch {
                    issues.append(
                        ConfigIssue(
                            object: candidate.source.ingress,
                            .invalid(candidate.source.field + ".path", path, "not a valid regular expression for rewrite-target: \(error)"))
                    )
                    continue
                }
            }
            let matcher: PathMatcher
            let rank: Int
            switch candidate.source.pathType {
            case "Exact" where !collector.regexMode:
                exact[path] = Route(
                    source: candidate.source, matcher: .exact(path), backend: candidate.backend, sharedPolicy: candidate.policy,
                    rewrite: rewrite)
                continue
            case "Prefix" where !collector.regexMode:
                matcher = .prefix(PathMatcher.normalizedPrefix(path))
                rank = 0
            case "ImplementationSpecific" where !collector.regexMode:
                matcher = .characterPrefix(path)
                rank = 1
            default:
                do {
                    matcher = .regex(try PatternRegex(path))
                } catch {
                    issues.append(
                        ConfigIssue(
                            object: candidate.source.ingress,
                            .invalid(
                                candidate.source.field + ".path", path,
                                "not a valid regular expression (the host is in regex mode): \(error)"))
                    )
                    continue
                }
                rank = 0
            }
            let route = Route(
                source: candidate.source, matcher: matcher, backend: candidate.backend, sharedPolicy: candidate.policy, rewrite: rewrite)
            ordered.append((route, rank, age))
        }
        // Sort positions, not routes (a route is a few hundred bytes); the lengths are computed once.
        let lengths = ordered.map { $0.route.matcher.orderingLength }
        let order = ordered.indices.sorted { lhsIndex, rhsIndex in
            let left = lengths[lhsIndex]
            let right = lengths[rhsIndex]
            if left != right { return left > right }
            if collector.regexMode, ordered[lhsIndex].route.source.path != ordered[rhsIndex].route.source.path {
                // ingress-nginx breaks ties between equally long patterns by the path, descending.
                return !ordered[lhsIndex].route.source.path.utf8.lexicographicallyPrecedes(ordered[rhsIndex].route.source.path.utf8)
            }
            if ordered[lhsIndex].rank != ordered[rhsIndex].rank { return ordered[lhsIndex].rank < ordered[rhsIndex].rank }
            return ordered[lhsIndex].age < ordered[rhsIndex].age
        }
        return HostRoutes(
            exact: exact, ordered: order.map { ordered[$0].route }, fallback: collector.fallback, regexMode: collector.regexMode)
    }

    /// Whether `rewrite-target` changes requests on `path`: as ingress-nginx's `needsRewrite`, a target equal to
    /// the path rewrites nothing (and does not put the host in regex mode).
    static func needsRewrite(_ policy: RoutePolicy, path: String) -> Bool {
        guard let target = policy.rewriteTarget else { return false }
        return target != path
    }

    /// Ingresses oldest first: creationTimestamp (missing sorts last), then namespace/name.
    static func byAge(_ ingresses: ObjectTable<Ingress>) -> [(ObjectRef, Ingress)] {
        // Sort positions by precomputed keys: moving Ingress values around while sorting costs more than comparing.
        let entries = Array(ingresses)
        let keys = entries.map { (stamp: $0.value.metadata.creationTimestamp ?? "~", ref: $0.key) }
        let order = keys.indices.sorted { lhs, rhs in
            if keys[lhs].stamp != keys[rhs].stamp { return keys[lhs].stamp < keys[rhs].stamp }
            return keys[lhs].ref < keys[rhs].ref
        }
        return order.map { (entries[$0].key, entries[$0].value) }
    }

    /// `host` in lower case, without copying a host that already is (nearly every one).
    static func lowercased(_ host: String) -> String {
        host.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } || !host.utf8.allSatisfy { $0 < 0x80 }
            ? host.lowercased() : host
    }

    /// The field paths of rule paths (`spec.rules[0].http.paths[1]`), formatted once per build and shared by every
    /// route at the same position (most Ingresses have few rules and paths).
    struct FieldNames {
        private var names: [Int: String] = [:]

        mutating func path(rule: Int, path: Int) -> String {
            guard rule < 1 << 20, path < 1 << 20 else { return "spec.rules[\(rule)].http.paths[\(path)]" }
            let key = rule << 20 | path
            if let name = names[key] { return name }
            let name = "spec.rules[\(rule)].http.paths[\(path)]"
            names[key] = name
            return name
        }
    }

    /// `*` for rules without a host.
    static func hostLabel(_ host: String) -> String { host.isEmpty ? "*" : host }

    /// Sorted issues with exact duplicates removed.
    static func deduplicated(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        Array(Set(issues)).sorted()
    }
}
