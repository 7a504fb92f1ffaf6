import KubeModel

/// Builds snapshots one after another, redoing only what the objects changed since the previous build touch.
/// ``SnapshotBuilder`` is this with nothing remembered, so a full build and an incremental one run the same code.
///
/// The work is split in parts: one per Ingress (whether it is served, its annotations, its default backend) and
/// one per host (its routes from every Ingress naming it, oldest first, compiled). A build reads what changed since
/// the previous one from the state's journal (it keeps no copy of the objects to compare against) and redoes the
/// parts of Ingresses that changed or whose Services changed, and of the hosts those
/// Ingresses name (before and after the change) or whose TLS coverage changed. Clusters are numbered in
/// ``ClusterID`` order, so an unchanged set of clusters keeps every index; when the set changes, every kept route is
/// renumbered. Changed EndpointSlices rebuild only their clusters. The TLS table, the catch-all default backend and
/// the issue list are recomputed every time (they are small). Options, IngressClasses or Pods changing, or a state
/// whose journal does not reach back to the previous build, start over.
public struct IncrementalSnapshotBuilder: Sendable {
    /// What the previous build saw and made (its journal position is nil before the first build).
    private var memo = Memo()

    /// A builder that remembers nothing yet.
    public init() {}

    /// One Ingress's contribution.
    struct IngressPart: Sendable {
        /// Its creationTimestamp ("~" when missing): with its identity (the key it is kept under), its
        /// oldest-first position (``AgeKey``).
        var stamp: String
        /// Whether this controller serves it.
        var served: Bool
        /// Whether it has no rules but a default backend (a candidate for the catch-all).
        var catchAllCandidate: Bool
        /// Whether it is served and has `spec.tls` entries.
        var hasTLS: Bool
        /// Its annotations, parsed (shared by its routes).
        var policy: Boxed<RoutePolicy>
        /// Annotation problems and problems with `spec.defaultBackend`; for a class-less Ingress that is not served,
        /// the warning saying so.
        var issues: [ConfigIssue]
        /// `spec.defaultBackend` as a route (the fallback of its hosts), when served.
        var defaultRoute: Route?
        /// Its rule hosts (lowercased, each once), when served.
        var hosts: [String]
        /// Services its backends name, each once.
        var services: [ObjectRef]

        /// Its oldest-first position, `ref` being its identity.
        func age(_ ref: ObjectRef) -> AgeKey { AgeKey(stamp: stamp, ref: ref) }
    }

    /// One host's compiled routes, as ``hostPart(host:ingresses:hostHasTLS:resolver:fields:)`` makes them.
    struct HostPart: Sendable {
        /// The routes.
        var routes: HostRoutes
        /// Problems found collecting and compiling them.
        var issues: [ConfigIssue]
    }

    /// Sorts Ingresses oldest first: creationTimestamp (missing sorts last), then namespace/name.
    struct AgeKey: Comparable, Sendable {
        var stamp: String
        var ref: ObjectRef

        static func < (lhs: AgeKey, rhs: AgeKey) -> Bool {
            if lhs.stamp != rhs.stamp { return lhs.stamp < rhs.stamp }
            return lhs.ref < rhs.ref
        }
    }

    /// The TLS outcome of a build, kept while its inputs stay the same.
    struct TLSOutcome: Sendable {
        var table: TLSTable
        var issues: [ConfigIssue]
        var hosts: Set<String>
        /// When the validity of a certificate changes the outcome (nil: never).
        var changes: Int?
        /// Whether `now` was given, and whether an inspector was.
        var timed: Bool
        var inspected: Bool
    }

    /// Everything kept from one build to the next.
    struct Memo: Sendable {
        /// The settings and objects every part depends on (a change starts over).
        var ingressClasses: [String: IngressClass] = [:]
        var pods: [ObjectRef: Pod] = [:]
        var options = RoutingOptions()
        /// The last change in the journal of the state built (nil: compare everything next time).
        var journalPosition: UInt64?
        var tls: TLSOutcome?
        /// The Secrets the TLS outcome loaded, decoded and inspected.
        var decodedSecrets: [ObjectRef: TLSResolver.DecodedSecret] = [:]
        /// Served Ingresses with `spec.tls`, and served Ingresses without rules but with a default backend.
        var tlsIngresses: Set<ObjectRef> = []
        var catchAllIngresses: Set<ObjectRef> = []
        var ingressParts: [ObjectRef: IngressPart] = [:]
        /// The problems of each host's routes, for the hosts that have any. The routes themselves are kept in
        /// ``routeTable`` only (beside it, a table of 20,000 hosts was 1.8 MB more).
        var hostIssues: [String: [ConfigIssue]] = [:]
        /// Served Ingresses with rules for each host.
        var contributors: [String: CompactSet<ObjectRef>] = [:]
        /// Ingresses naming each Service in a backend.
        var serviceUsers: [ObjectRef: CompactSet<ObjectRef>] = [:]
        /// How many parts use each cluster.
        var clusterUsers: [ClusterID: Int] = [:]
        /// The clusters, in ``ClusterID`` order.
        var clusters: [Cluster] = []
        var tlsHosts: Set<String> = []
        var routeTable = RouteTable.empty
        var served: [ObjectRef] = []
        var fields = SnapshotBuilder.FieldNames()
    }

    /// Builds the snapshot numbered `version` for `state`, reusing what the previous build made where its inputs did
    /// not change. The result equals `SnapshotBuilder(state:options:inspector:now:).build(version:)`.
    public mutating func build(
        state: ClusterState, options: RoutingOptions, inspector: (any CertificateInspector)? = nil, now: Int? = nil, version: Int
    ) -> RoutingSnapshot {
        // What changed: the journal's entries since the last build when the state descends from it. Otherwise (the
        // first build, another lineage, or settings the parts depend on changed) everything, from scratch.
        let changes = memo.journalPosition.flatMap { state.journal.changes(after: $0) }
        let startOver =
            changes == nil || memo.options != options || memo.ingressClasses != state.ingressClasses || memo.pods != state.pods
        if startOver {
            memo = Memo()
            memo.options = options
            memo.ingressClasses = state.ingressClasses
            memo.pods = state.pods
        }
        memo.journalPosition = state.journal.last
        let filter = IngressClassFilter(state: state, options: options)
        var resolver = BackendResolver(state: state, clusters: memo.clusters)
        var changed = Changes()
        if startOver {
            changed = Changes(everythingIn: state)
        } else {
            for change in changes ?? [] {
                switch change {
                case .ingress(let ref): changed.ingresses.insert(ref)
                case .service(let ref): changed.services.insert(ref)
                case .endpointSlices(let ref): changed.slices.insert(ref)
                case .secret(let ref): changed.secrets.insert(ref)
                }
            }
        }

        // Clusters of Services whose EndpointSlices or spec changed get their endpoints again.
        if !changed.services.isEmpty || !changed.slices.isEmpty { resolver.refreshClusters(of: changed.services.union(changed.slices)) }
        let secretsChanged = !changed.secrets.isEmpty

        // Ingress parts: changed Ingresses and the users of changed Services.
        var dirtyIngresses = changed.ingresses
        for service in changed.services { dirtyIngresses.formUnion(memo.serviceUsers[service] ?? []) }
        // Starting over: collect every cluster first, in ID order, so no route needs renumbering afterwards.
        if memo.clusters.isEmpty {
            var ids: Set<ClusterID> = []
            for ref in dirtyIngresses {
                guard let ingress = state.ingresses[ref], filter.decide(ingress).served else { continue }
                let namespace = ref.namespace ?? "default"
                let spec = ingress.spec ?? IngressSpec()
                var backends = (spec.rules ?? []).flatMap { ($0.http?.paths ?? []).compactMap(\.backend) }
                if let backend = spec.defaultBackend { backends.append(backend) }
                for backend in backends {
                    if let id = resolver.clusterID(of: backend, namespace: namespace) { ids.insert(id) }
                }
            }
            resolver.collect(ids.sorted())
        }
        var dirtyHosts: Set<String> = []
        var tlsIngressChanged = false
        for ref in dirtyIngresses {
            if let old = memo.ingressParts.removeValue(forKey: ref) {
                tlsIngressChanged = tlsIngressChanged || old.hasTLS
                memo.tlsIngresses.remove(ref)
                memo.catchAllIngresses.remove(ref)
                for host in old.hosts {
                    memo.contributors[host]?.remove(ref)
                    dirtyHosts.insert(host)
                }
                for service in old.services {
                    memo.serviceUsers[service]?.remove(ref)
                    if memo.serviceUsers[service]?.isEmpty == true { memo.serviceUsers[service] = nil }
                }
                if let route = old.defaultRoute { release(route, resolver: resolver) }
            }
            guard let ingress = state.ingresses[ref] else { continue }
            let part = Self.ingressPart(ref: ref, ingress: ingress, filter: filter, resolver: &resolver)
            for host in part.hosts {
                memo.contributors[host, default: []].insert(ref)
                dirtyHosts.insert(host)
            }
            for service in part.services { memo.serviceUsers[service, default: []].insert(ref) }
            if let route = part.defaultRoute { retain(route, resolver: resolver) }
            tlsIngressChanged = tlsIngressChanged || part.hasTLS
            if part.hasTLS { memo.tlsIngresses.insert(ref) }
            if part.catchAllCandidate { memo.catchAllIngresses.insert(ref) }
            memo.ingressParts[ref] = part
        }

        // TLS: again when a Secret or an Ingress with `spec.tls` changed, or a certificate's validity changes the
        // outcome; hosts whose coverage changed are redone.
        let tls = tlsOutcome(
            state: state, inspector: inspector, now: now,
            inputsChanged: secretsChanged || tlsIngressChanged)
        if tls.hosts != memo.tlsHosts {
            for host in memo.contributors.keys
            where SnapshotBuilder.isCovered(host, by: tls.hosts) != SnapshotBuilder.isCovered(host, by: memo.tlsHosts) {
                dirtyHosts.insert(host)
            }
            memo.tlsHosts = tls.hosts
        }

        // Host parts, filed in the route table as they are made: it is edited in place (the first edit copies it
        // when the previous snapshot still holds it). Exact hosts first, so that a wildcard filed under a suffix
        // that is also a host shares that host's string.
        if startOver {
            let wildcards = dirtyHosts.count { $0.hasPrefix("*.") }
            memo.routeTable.exactHosts.reserveCapacity(dirtyHosts.count - wildcards)
            memo.routeTable.wildcardHosts.reserveCapacity(wildcards)
        }
        for host in dirtyHosts.filter({ !$0.hasPrefix("*.") }) + dirtyHosts.filter({ $0.hasPrefix("*.") }) {
            if let old = Self.routes(of: host, in: memo.routeTable) { release(Self.clusterIDs(of: old, in: resolver.clusters)) }
            memo.hostIssues[host] = nil
            guard let refs = memo.contributors[host], !refs.isEmpty else {
                memo.contributors[host] = nil
                Self.place(nil, host: host, in: &memo.routeTable)
                continue
            }
            var ordered: [(ObjectRef, Ingress, IngressPart)] = []
            ordered.reserveCapacity(refs.count)
            for ref in refs {
                if let ingress = state.ingresses[ref], let part = memo.ingressParts[ref] { ordered.append((ref, ingress, part)) }
            }
            ordered.sort { $0.2.age($0.0) < $1.2.age($1.0) }
            let part = Self.hostPart(
                host: host, ingresses: ordered, hostHasTLS: SnapshotBuilder.isCovered(host, by: memo.tlsHosts), resolver: &resolver,
                fields: &memo.fields)
            retain(Self.clusterIDs(of: part.routes, in: resolver.clusters))
            if !part.issues.isEmpty { memo.hostIssues[host] = part.issues }
            Self.place(part.routes, host: host, in: &memo.routeTable)
        }

        // Clusters in ID order; renumber every route when the set changed.
        renumberClusters(resolver: resolver)

        // The catch-all default backend: the oldest served Ingress without rules that has one.
        var issues = state.admissionIssues
        let candidates = memo.catchAllIngresses.compactMap { ref in memo.ingressParts[ref].map { (ref, $0) } }.sorted {
            $0.1.age($0.0) < $1.1.age($1.0)
        }
        var defaultRoute: Route?
        for (ref, part) in candidates {
            guard let route = part.defaultRoute else { continue }
            if let existing = defaultRoute {
                issues.append(
                    ConfigIssue(
                        object: ref,
                        field: "spec.defaultBackend",
                        message: "the catch-all default backend is already set by the older Ingress \(existing.source.ingress); ignored",
                        severity: .warning
                    )
                )
            } else {
                defaultRoute = route
            }
        }
        memo.routeTable.defaultRoute = defaultRoute

        var servedChanged = false
        for part in memo.ingressParts.values {
            issues += part.issues
        }
        for ref in dirtyIngresses where (memo.ingressParts[ref]?.served ?? false) != memo.served.containsSorted(ref) {
            servedChanged = true
        }
        if servedChanged { memo.served = memo.ingressParts.filter { $0.value.served }.keys.sorted() }
        for hostIssues in memo.hostIssues.values { issues += hostIssues }
        issues += tls.issues
        return RoutingSnapshot(
            version: version,
            routeTable: memo.routeTable,
            clusters: memo.clusters,
            issues: SnapshotBuilder.deduplicated(issues),
            servedIngresses: memo.served,
            tls: tls.table
        )
    }

    /// The TLS table, its issues and the TLS hosts: the previous ones while nothing they depend on changed, else
    /// from the served Ingresses with `spec.tls`, oldest first, and the default certificate.
    private mutating func tlsOutcome(state: ClusterState, inspector: (any CertificateInspector)?, now: Int?, inputsChanged: Bool)
        -> TLSOutcome
    {
        if let kept = memo.tls, !inputsChanged, kept.timed == (now != nil), kept.inspected == (inspector != nil),
            kept.changes.map({ (now ?? Int.min) < $0 }) ?? true
        {
            return kept
        }
        var resolver = TLSResolver(state: state, inspector: inspector, now: now, decoded: memo.decodedSecrets)
        let ingresses = memo.tlsIngresses.compactMap { ref in memo.ingressParts[ref].map { (ref, $0.age(ref)) } }.sorted { $0.1 < $1.1 }
        for (ref, _) in ingresses {
            if let ingress = state.ingresses[ref] { resolver.add(ingress, ref: ref) }
        }
        let defaultCertificate = memo.options.defaultCertificate.flatMap { resolver.loadDefault($0) }
        memo.decodedSecrets = resolver.decodedInUse
        let outcome = TLSOutcome(
            table: resolver.table(defaultCertificate: defaultCertificate), issues: resolver.issues, hosts: resolver.tlsHosts,
            changes: resolver.outcomeChanges, timed: now != nil, inspected: inspector != nil)
        memo.tls = outcome
        return outcome
    }

    /// Files compiled host routes under their host in `table` (nil removes the host). A wildcard host is filed
    /// under its suffix; when the suffix is itself an exact host (`*.example.com` beside `example.com`), under that
    /// host's string, so both tables share one buffer.
    private static func place(_ routes: HostRoutes?, host: String, in table: inout RouteTable) {
        if host.isEmpty {
            table.anyHost = routes
        } else if host.hasPrefix("*.") {
            let suffix = String(host.dropFirst(2))
            table.wildcardHosts[table.exactHosts.index(forKey: suffix).map { table.exactHosts.keys[$0] } ?? suffix] = routes
        } else {
            table.exactHosts[host] = routes
        }
    }

    /// The routes `table` files under `host` (a rule's host: exact, `*.` wildcard, or empty for every host).
    private static func routes(of host: String, in table: RouteTable) -> HostRoutes? {
        if host.isEmpty { return table.anyHost }
        if host.hasPrefix("*.") { return table.wildcardHosts[String(host.dropFirst(2))] }
        return table.exactHosts[host]
    }

    /// Counts one more user of the route's cluster.
    private mutating func retain(_ route: Route, resolver: BackendResolver) {
        if case .cluster(let index) = route.backend { retain(CollectionOfOne(resolver.clusters[index].id)) }
    }

    /// Counts one user less of the route's cluster (the route was numbered by the previous build).
    private mutating func release(_ route: Route, resolver: BackendResolver) {
        if case .cluster(let index) = route.backend { release(CollectionOfOne(resolver.clusters[index].id)) }
    }

    private mutating func retain(_ ids: some Sequence<ClusterID>) {
        for id in ids { memo.clusterUsers[id, default: 0] += 1 }
    }

    private mutating func release(_ ids: some Sequence<ClusterID>) {
        for id in ids {
            let users = (memo.clusterUsers[id] ?? 0) - 1
            memo.clusterUsers[id] = users > 0 ? users : nil
        }
    }

    /// Keeps the clusters still used, in ``ClusterID`` order; when that changes any index, renumbers every route of
    /// the route table and every default route of an Ingress part.
    private mutating func renumberClusters(resolver: BackendResolver) {
        let candidates = resolver.clusters
        let unchanged =
            candidates.count == memo.clusterUsers.count && candidates.count == memo.clusters.count
            && candidates.indices.allSatisfy { memo.clusterUsers[candidates[$0].id] != nil }
        if unchanged {
            memo.clusters = candidates
            return
        }
        let kept = candidates.indices.filter { memo.clusterUsers[candidates[$0].id] != nil }.sorted {
            candidates[$0].id < candidates[$1].id
        }
        if kept.elementsEqual(candidates.indices) {
            // Every cluster is used and already in ID order (a build that started over collected them first).
            memo.clusters = candidates
            return
        }
        var newIndex = [Int](repeating: -1, count: candidates.count)
        for (position, old) in kept.enumerated() { newIndex[old] = position }
        memo.clusters = kept.map { candidates[$0] }
        let map = newIndex
        let renumber = { (route: Route) -> Route in
            guard case .cluster(let index) = route.backend, map[index] != index else { return route }
            var copy = route
            copy.backend = .cluster(map[index])
            return copy
        }
        memo.routeTable.exactHosts = memo.routeTable.exactHosts.mapValues { $0.mapRoutes(renumber) }
        memo.routeTable.wildcardHosts = memo.routeTable.wildcardHosts.mapValues { $0.mapRoutes(renumber) }
        memo.routeTable.anyHost = memo.routeTable.anyHost?.mapRoutes(renumber)
        for (ref, part) in memo.ingressParts {
            if let route = part.defaultRoute { memo.ingressParts[ref]?.defaultRoute = renumber(route) }
        }
    }

    /// The objects a build redoes the parts of, by kind: those the journal lists since the previous build (the
    /// state changes an object only when its value changes), or every object when starting over.
    struct Changes {
        var ingresses: Set<ObjectRef> = []
        var services: Set<ObjectRef> = []
        /// Services whose EndpointSlices changed.
        var slices: Set<ObjectRef> = []
        var secrets: Set<ObjectRef> = []

        init() {}

        /// Every object of `state`.
        init(everythingIn state: ClusterState) {
            ingresses = Set(state.ingresses.keys)
            services = Set(state.services.keys)
            slices = Set(state.servicesWithEndpointSlices)
            secrets = Set(state.secrets.keys)
        }
    }

    /// The policy of every Ingress without annotations that change it, one box for all their routes.
    static let defaultPolicy = Boxed(RoutePolicy.defaults)

    /// What one Ingress contributes apart from its rules: served or not, annotations, default backend.
    static func ingressPart(ref: ObjectRef, ingress: Ingress, filter: IngressClassFilter, resolver: inout BackendResolver) -> IngressPart {
        let spec = ingress.spec ?? IngressSpec()
        let namespace = ref.namespace ?? "default"
        var services: Set<ObjectRef> = []
        if let name = spec.defaultBackend?.service?.name {
            services.insert(ObjectRef(kind: "Service", namespace: namespace, name: name))
        }
        for rule in spec.rules ?? [] {
            for entry in rule.http?.paths ?? [] {
                if let name = entry.backend?.service?.name { services.insert(ObjectRef(kind: "Service", namespace: namespace, name: name)) }
            }
        }
        let decision = filter.decide(ingress)
        var part = IngressPart(
            stamp: ingress.metadata.creationTimestamp ?? "~", served: decision.served, catchAllCandidate: false, hasTLS: false,
            policy: Self.defaultPolicy, issues: [], defaultRoute: nil, hosts: [], services: Array(services))
        guard decision.served else {
            if IngressClassFilter.requestedClass(of: ingress) == nil {
                part.issues = [
                    ConfigIssue(
                        object: ref, field: "spec.ingressClassName", message: "not served: \(decision.reason)", severity: .warning)
                ]
            }
            return part
        }
        let (policy, annotationIssues) = IngressAnnotations.parse(ingress.metadata, object: ref)
        let shared = policy == RoutePolicy.defaults ? Self.defaultPolicy : Boxed(policy)
        part.policy = shared
        part.issues = annotationIssues
        part.hasTLS = !(spec.tls ?? []).isEmpty
        if let backend = spec.defaultBackend {
            let (resolved, backendIssues) = resolver.resolve(backend, namespace: namespace, field: "spec.defaultBackend", ingress: ref)
            part.issues += backendIssues
            let source = RouteSource(ingress: ref, field: "spec.defaultBackend", host: "", path: "", pathType: "Default")
            part.defaultRoute = Route(source: source, matcher: .prefix("/"), backend: resolved, sharedPolicy: shared, rewrite: nil)
            // As ingress-nginx: only an Ingress without rules configures the catch-all; one with rules uses its
            // default backend for its own hosts only.
            part.catchAllCandidate = (spec.rules ?? []).isEmpty
        }
        var seen: Set<String> = []
        for rule in spec.rules ?? [] {
            let host = SnapshotBuilder.lowercased(rule.host ?? "")
            if seen.insert(host).inserted { part.hosts.append(host) }
        }
        return part
    }

    /// One host's routes from the served Ingresses naming it (oldest first): paths claimed by the oldest Ingress,
    /// backends resolved, then compiled and marked for HTTPS redirects.
    static func hostPart(
        host: String, ingresses: [(ObjectRef, Ingress, IngressPart)], hostHasTLS: Bool, resolver: inout BackendResolver,
        fields: inout SnapshotBuilder.FieldNames
    ) -> HostPart {
        var collector = SnapshotBuilder.HostCollector()
        var issues: [ConfigIssue] = []
        for (ref, ingress, part) in ingresses {
            for (ruleIndex, rule) in (ingress.spec?.rules ?? []).enumerated() where SnapshotBuilder.lowercased(rule.host ?? "") == host {
                if collector.fallback == nil, let fallback = part.defaultRoute { collector.fallback = fallback }
                for (pathIndex, entry) in (rule.http?.paths ?? []).enumerated() {
                    guard let backend = entry.backend, let pathType = entry.pathType else { continue }
                    let field = fields.path(rule: ruleIndex, path: pathIndex)
                    var path = entry.path ?? ""
                    if path.isEmpty { path = "/" }
                    let key = pathType + " " + (pathType == "Prefix" ? PathMatcher.normalizedPrefix(path) : path)
                    if let owner = collector.owners[key] {
                        let message =
                            owner == ref
                            ? "duplicate of an earlier path of this Ingress for host \"\(SnapshotBuilder.hostLabel(host))\"; ignored"
                            : "host \"\(SnapshotBuilder.hostLabel(host))\" \(pathType) path \"\(path)\" is already claimed by the older Ingress \(owner); ignored"
                        issues.append(ConfigIssue(object: ref, field: field + ".path", message: message))
                        continue
                    }
                    let (resolved, backendIssues) = resolver.resolve(
                        backend, namespace: ref.namespace ?? "default", field: field + ".backend", ingress: ref)
                    issues += backendIssues
                    let source = RouteSource(ingress: ref, field: field, host: host, path: path, pathType: pathType)
                    collector.owners[key] = ref
                    if part.policy.value.useRegex || SnapshotBuilder.needsRewrite(part.policy.value, path: path) {
                        collector.regexMode = true
                    }
                    collector.candidates.append(SnapshotBuilder.Candidate(source: source, backend: resolved, policy: part.policy))
                }
            }
        }
        var routes = SnapshotBuilder.compile(collector, issues: &issues)
        routes.markRedirects(hostHasTLS: hostHasTLS)
        return HostPart(routes: routes, issues: issues)
    }

    /// The clusters a host's routes use, each once, found from the routes when they are counted in and out
    /// rather than kept beside them (the routes' indices follow every renumbering, so both counts agree).
    static func clusterIDs(of routes: HostRoutes, in clusters: [Cluster]) -> Set<ClusterID> {
        var ids: Set<ClusterID> = []
        routes.forEachRoute { route in
            if case .cluster(let index) = route.backend { ids.insert(clusters[index].id) }
        }
        return ids
    }
}

extension Array where Element == ObjectRef {
    /// Whether this sorted array holds `value`.
    fileprivate func containsSorted(_ value: ObjectRef) -> Bool {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low] == value
    }
}
