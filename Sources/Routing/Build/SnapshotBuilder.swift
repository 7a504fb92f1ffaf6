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

    /// One path candidate before compilation.
    private struct Candidate {
        var route: Route
        var key: String
    }

    /// Routes of one host while collecting.
    private struct HostCollector {
        var candidates: [Candidate] = []
        var owners: [String: ObjectRef] = [:]
        var regexMode = false
        var fallback: Route?
    }

    /// Builds the snapshot numbered `version`.
    public func build(version: Int) -> RoutingSnapshot {
        var issues = state.admissionIssues
        var resolver = BackendResolver(state: state)
        let filter = IngressClassFilter(state: state, options: options)
        // Collectors live in an array and are edited in place (a dictionary value would be copied out and back).
        var hostIndex: [String: Int] = [:]
        hostIndex.reserveCapacity(state.ingresses.count * 2)
        var hosts: [(host: String, collector: HostCollector)] = []
        hosts.reserveCapacity(state.ingresses.count * 2)
        var fields = FieldNames()
        var defaultRoute: Route?
        var served: [ObjectRef] = []
        served.reserveCapacity(state.ingresses.count)
        var tls = TLSResolver(state: state, inspector: inspector, now: now)

        for (ref, ingress) in Self.byAge(state.ingresses) {
            let decision = filter.decide(ingress)
            guard decision.served else {
                if IngressClassFilter.requestedClass(of: ingress) == nil {
                    issues.append(
                        ConfigIssue(
                            object: ref, field: "spec.ingressClassName", message: "not served: \(decision.reason)", severity: .warning))
                }
                continue
            }
            served.append(ref)
            tls.add(ingress, ref: ref)
            let (policy, annotationIssues) = IngressAnnotations.parse(ingress.metadata, object: ref)
            issues += annotationIssues
            let spec = ingress.spec ?? IngressSpec()
            var ingressDefault: Route?
            if let backend = spec.defaultBackend {
                let (resolved, backendIssues) = resolver.resolve(
                    backend, namespace: ref.namespace ?? "default", field: "spec.defaultBackend", ingress: ref)
                issues += backendIssues
                let source = RouteSource(ingress: ref, field: "spec.defaultBackend", host: "", path: "", pathType: "Default")
                let route = Route(source: source, matcher: .prefix("/"), backend: resolved, policy: policy, rewrite: nil)
                ingressDefault = route
                // As ingress-nginx: only an Ingress without rules configures the catch-all; one with rules uses its
                // default backend for its own hosts only.
                if (spec.rules ?? []).isEmpty {
                    if let existing = defaultRoute {
                        issues.append(
                            ConfigIssue(
                                object: ref,
                                field: "spec.defaultBackend",
                                message:
                                    "the catch-all default backend is already set by the older Ingress \(existing.source.ingress); ignored",
                                severity: .warning
                            )
                        )
                    } else {
                        defaultRoute = route
                    }
                }
            }
            for (ruleIndex, rule) in (spec.rules ?? []).enumerated() {
                let host = Self.lowercased(rule.host ?? "")
                let slot: Int
                if let existing = hostIndex[host] {
                    slot = existing
                } else {
                    slot = hosts.count
                    hostIndex[host] = slot
                    hosts.append((host, HostCollector()))
                }
                if hosts[slot].collector.fallback == nil, let ingressDefault { hosts[slot].collector.fallback = ingressDefault }
                for (pathIndex, entry) in (rule.http?.paths ?? []).enumerated() {
                    guard let backend = entry.backend, let pathType = entry.pathType else { continue }
                    let field = fields.path(rule: ruleIndex, path: pathIndex)
                    var path = entry.path ?? ""
                    if path.isEmpty { path = "/" }
                    let key = pathType + " " + (pathType == "Prefix" ? PathMatcher.normalizedPrefix(path) : path)
                    if let owner = hosts[slot].collector.owners[key] {
                        let message =
                            owner == ref
                            ? "duplicate of an earlier path of this Ingress for host \"\(Self.hostLabel(host))\"; ignored"
                            : "host \"\(Self.hostLabel(host))\" \(pathType) path \"\(path)\" is already claimed by the older Ingress \(owner); ignored"
                        issues.append(ConfigIssue(object: ref, field: field + ".path", message: message))
                        continue
                    }
                    let (resolved, backendIssues) = resolver.resolve(
                        backend, namespace: ref.namespace ?? "default", field: field + ".backend", ingress: ref)
                    issues += backendIssues
                    let source = RouteSource(ingress: ref, field: field, host: host, path: path, pathType: pathType)
                    hosts[slot].collector.owners[key] = ref
                    if policy.useRegex || Self.needsRewrite(policy, path: path) { hosts[slot].collector.regexMode = true }
                    hosts[slot].collector.candidates.append(
                        Candidate(
                            route: Route(source: source, matcher: .exact(path), backend: resolved, policy: policy, rewrite: nil), key: key)
                    )
                }
            }
        }

        var exactHosts: [String: HostRoutes] = [:]
        exactHosts.reserveCapacity(hosts.count)
        var wildcardHosts: [String: HostRoutes] = [:]
        var anyHost: HostRoutes?
        for (host, collector) in hosts {
            let hostHasTLS = Self.isCovered(host, by: tls.tlsHosts)
            var compiled = Self.compile(collector, issues: &issues)
            compiled.markRedirects(hostHasTLS: hostHasTLS)
            if host.isEmpty {
                anyHost = compiled
            } else if host.hasPrefix("*.") {
                wildcardHosts[String(host.dropFirst(2))] = compiled
            } else {
                exactHosts[host] = compiled
            }
        }
        let table = RouteTable(exactHosts: exactHosts, wildcardHosts: wildcardHosts, anyHost: anyHost, defaultRoute: defaultRoute)
        let defaultCertificate = options.defaultCertificate.flatMap { tls.loadDefault($0) }
        issues += tls.issues
        return RoutingSnapshot(
            version: version,
            routeTable: table,
            clusters: resolver.clusters,
            issues: Self.deduplicated(issues),
            servedIngresses: served.sorted(),
            tls: tls.table(defaultCertificate: defaultCertificate)
        )
    }

    /// Whether a rule host is listed in some `spec.tls` (exactly, or under a `*.` TLS host).
    static func isCovered(_ host: String, by tlsHosts: Set<String>) -> Bool {
        if host.isEmpty { return false }
        if tlsHosts.contains(host) { return true }
        guard !host.hasPrefix("*."), let dot = host.firstIndex(of: "."), dot != host.startIndex else { return false }
        return tlsHosts.contains("*" + host[dot...])
    }

    /// Compiles collected paths: matchers per path type and regex mode, then the lookup order.
    private static func compile(_ collector: HostCollector, issues: inout [ConfigIssue]) -> HostRoutes {
        var exact: [String: Route] = [:]
        var ordered: [(route: Route, rank: Int, age: Int)] = []
        ordered.reserveCapacity(collector.candidates.count)
        for (age, candidate) in collector.candidates.enumerated() {
            var route = candidate.route
            let path = route.source.path
            if let target = route.policy.rewriteTarget, needsRewrite(route.policy, path: path) {
                do {
                    route.rewrite = PathRewrite(pattern: try PatternRegex(path), target: target)
                } catch {
                    issues.append(
                        ConfigIssue(
                            object: route.source.ingress,
                            .invalid(route.source.field + ".path", path, "not a valid regular expression for rewrite-target: \(error)")))
                    continue
                }
            }
            switch route.source.pathType {
            case "Exact" where !collector.regexMode:
                route.matcher = .exact(path)
                exact[path] = route
                continue
            case "Prefix" where !collector.regexMode:
                route.matcher = .prefix(PathMatcher.normalizedPrefix(path))
                ordered.append((route, 0, age))
            case "ImplementationSpecific" where !collector.regexMode:
                route.matcher = .characterPrefix(path)
                ordered.append((route, 1, age))
            default:
                do {
                    route.matcher = .regex(try PatternRegex(path))
                } catch {
                    issues.append(
                        ConfigIssue(
                            object: route.source.ingress,
                            .invalid(
                                route.source.field + ".path", path, "not a valid regular expression (the host is in regex mode): \(error)"))
                    )
                    continue
                }
                ordered.append((route, 0, age))
            }
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
    static func byAge(_ ingresses: [ObjectRef: Ingress]) -> [(ObjectRef, Ingress)] {
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
