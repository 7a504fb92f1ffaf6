import KubeModel

/// Step 3: the rule taken, the rules that lost and why, and what came closest when nothing matched.
extension Explainer {
    /// The rule step for a resolved request (nil resolution: the target was not origin-form).
    func ruleStep(_ resolution: RequestResolution?) -> Explanation.Rule {
        guard let resolution else {
            return Explanation.Rule(
                hostMatch: HostMatchKind.none.rawValue, regexMode: false, kind: "none", matched: nil, lost: [], closest: nil)
        }
        let selected = snapshot.routeTable.hostRoutes(for: resolution.host)
        let route = resolution.route
        let kind: String
        if let route {
            if !resolution.isFallback {
                kind = "path"
            } else if let fallback = selected?.0.fallback, fallback.source == route.source {
                kind = "host default backend"
            } else {
                kind = "default backend"
            }
        } else {
            kind = "none"
        }
        let winner = kind == "path" ? route : nil
        return Explanation.Rule(
            hostMatch: resolution.hostMatch.rawValue,
            regexMode: selected?.0.regexMode ?? false,
            kind: kind,
            matched: route.map { Self.reference($0) },
            lost: lostRules(host: resolution.host, path: resolution.path, selected: selected, winner: winner),
            closest: kind == "path" ? nil : closest(host: resolution.host, path: resolution.path, selected: selected)
        )
    }

    /// How a rule host applies to a request host: `exact`, `wildcard` (one more label), `any` (no host), else nil.
    static func relation(ruleHost: String, host: String) -> HostMatchKind? {
        if ruleHost.isEmpty { return .any }
        if ruleHost == host { return .exact }
        guard ruleHost.hasPrefix("*."), let dot = host.firstIndex(of: "."), dot != host.startIndex else { return nil }
        return host[host.index(after: dot)...] == ruleHost.dropFirst(2) ? .wildcard : nil
    }

    /// A route as a rule reference.
    static func reference(_ route: Route) -> Explanation.RuleRef {
        let source = route.source
        let isDefault = source.pathType == "Default"
        return Explanation.RuleRef(
            ingress: source.ingress.description, field: source.field, host: source.host.isEmpty ? "*" : source.host,
            path: isDefault ? "*" : source.path, pathType: source.pathType,
            matchedAs: isDefault ? "the Ingress's spec.defaultBackend" : describe(route.matcher))
    }

    /// `Prefix /users (whole path elements)`, `Regex ^/users (case-insensitive)`, …
    static func describe(_ matcher: PathMatcher) -> String {
        switch matcher {
        case .exact(let path): "Exact \(path) (the whole path)"
        case .prefix(let path): "Prefix \(path) (whole path elements)"
        case .characterPrefix(let path): "ImplementationSpecific \(path) (character prefix)"
        case .regex(let regex): "Regex ^\(regex.pattern) (case-insensitive)"
        }
    }

    /// Every Ingress path whose host applies to the request, except the winner, with the reason it was not taken.
    func lostRules(host: String, path: String, selected: (HostRoutes, HostMatchKind)?, winner: Route?) -> [Explanation.LostRule] {
        let filter = IngressClassFilter(state: state, options: options.routing)
        var lost: [Explanation.LostRule] = []
        for (ref, ingress) in SnapshotBuilder.byAge(state.ingresses) {
            let decision = filter.decide(ingress)
            for (ruleIndex, rule) in (ingress.spec?.rules ?? []).enumerated() {
                let ruleHost = (rule.host ?? "").lowercased()
                guard let relation = Self.relation(ruleHost: ruleHost, host: host) else { continue }
                for (pathIndex, entry) in (rule.http?.paths ?? []).enumerated() {
                    let field = "spec.rules[\(ruleIndex)].http.paths[\(pathIndex)]"
                    if let winner, winner.source.ingress == ref, winner.source.field == field { continue }
                    let reason: String
                    if !decision.served {
                        reason = "not served by this controller: \(decision.reason)"
                    } else if let (routes, selectedKind) = selected, selectedKind == relation {
                        reason = compiledReason(ref: ref, field: field, routes: routes, path: path, winner: winner)
                    } else {
                        reason = levelReason(relation: relation, ruleHost: ruleHost, host: host, selected: selected)
                    }
                    lost.append(
                        Explanation.LostRule(
                            ingress: ref.description, field: field, host: ruleHost.isEmpty ? "*" : ruleHost, path: entry.path ?? "",
                            pathType: entry.pathType ?? "", reason: reason))
                }
            }
        }
        return lost
    }

    /// Why a rule of another host level than the one selected is not consulted.
    func levelReason(relation: HostMatchKind, ruleHost: String, host: String, selected: (HostRoutes, HostMatchKind)?) -> String {
        guard let (_, selectedKind) = selected else { return "not compiled" }
        let selectedText = selectedKind == .exact ? "rules for \(host) itself" : "rules of a wildcard host covering \(host)"
        if relation == .any {
            return "rules without a host only take requests for hosts no rule names; \(host) has \(selectedText)"
        }
        return "\(host) has \(selectedText), and a host's rules never fall through to \(ruleHost)"
    }

    /// Why a compiled path of the selected host did not take the request (or why it was left out of the table).
    func compiledReason(ref: ObjectRef, field: String, routes: HostRoutes, path: String, winner: Route?) -> String {
        let compiled =
            routes.exact.values.first { $0.source.ingress == ref && $0.source.field == field }
            ?? routes.ordered.first { $0.source.ingress == ref && $0.source.field == field }
        guard let route = compiled else {
            let issue = snapshot.issues.first { $0.object == ref && ($0.field == field || $0.field.hasPrefix(field + ".")) }
            return "left out of the routing table: " + (issue?.message ?? "not compiled")
        }
        guard route.matcher.matches(path) else {
            switch route.matcher {
            case .exact(let expected): return "Exact \(expected) is not the whole path \(path)"
            case .prefix(let prefix): return "Prefix \(prefix) does not match \(path) (whole path elements are compared)"
            case .characterPrefix(let prefix): return "\(path) does not start with \(prefix)"
            case .regex(let regex): return "^\(regex.pattern) (case-insensitive) does not match \(path)"
            }
        }
        guard let winner else { return "matches, but was not taken" }
        if case .exact = winner.matcher { return "also matches, but the Exact path \(winner.source.path) is checked first" }
        let winnerLength = winner.matcher.orderingLength
        let length = route.matcher.orderingLength
        if routes.regexMode {
            if winnerLength > length {
                return "also matches, but the longer pattern ^\(winner.source.path) is tried first (regex mode: the first match wins)"
            }
            return "also matches, but ^\(winner.source.path) is as long and sorts first (regex mode: ties go to the path sorting last)"
        }
        if winnerLength > length { return "also matches, but \(winner.source.path) is a longer prefix (the longest match wins)" }
        return
            "also matches, but \(winner.source.path) is as long and comes first (Prefix before ImplementationSpecific, then the older rule)"
    }

    /// The closest rule when no path matched: the closest path of the selected host, or of the host with rules that
    /// is closest in spelling.
    func closest(host: String, path: String, selected: (HostRoutes, HostMatchKind)?) -> Explanation.Closest? {
        if let (routes, kind) = selected {
            let label = kind == .any ? "any host" : host
            guard let route = Self.closestRoute(in: routes, path: path) else { return nil }
            return Explanation.Closest(
                ingress: route.source.ingress.description, field: route.source.field,
                host: route.source.host.isEmpty ? "*" : route.source.host,
                path: route.source.path,
                reason: "no path of \(label) matches \(path); the closest is \(Self.describe(route.matcher))")
        }
        let table = snapshot.routeTable
        let hosts = table.exactHosts.keys.map { ($0, $0) } + table.wildcardHosts.keys.map { ("*." + $0, $0) }
        let ranked = hosts.map { (name: $0.0, key: $0.1, distance: Self.editDistance(host, $0.0)) }
            .sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        guard let best = ranked.first else { return nil }
        let routes = best.name.hasPrefix("*.") ? table.wildcardHosts[best.key] : table.exactHosts[best.key]
        var reason = "no rule names \(host), there are no rules without a host"
        reason += table.defaultRoute == nil ? " and no default backend" : ""
        reason += "; the closest host with rules is \(best.name) (\(best.distance) edit\(best.distance == 1 ? "" : "s") away)"
        let route = routes.flatMap { Self.closestRoute(in: $0, path: path) }
        if let route { reason += ", and its closest path \(Self.describe(route.matcher))" }
        return Explanation.Closest(
            ingress: route?.source.ingress.description, field: route?.source.field, host: best.name, path: route?.source.path,
            reason: reason)
    }

    /// The route whose path shares the longest start with `path` (ties: lookup order).
    static func closestRoute(in routes: HostRoutes, path: String) -> Route? {
        let all = routes.exact.keys.sorted().compactMap { routes.exact[$0] } + routes.ordered
        var best: (Route, Int)?
        for route in all {
            let shared = sharedPrefixLength(path, route.source.path, ignoringCase: routes.regexMode)
            if best == nil || shared > (best?.1 ?? 0) { best = (route, shared) }
        }
        return best?.0
    }

    /// How many leading bytes two strings share.
    static func sharedPrefixLength(_ a: String, _ b: String, ignoringCase: Bool) -> Int {
        var count = 0
        for (x, y) in zip(a.utf8, b.utf8) {
            let equal = ignoringCase ? PatternRegex.lowercase(x) == PatternRegex.lowercase(y) : x == y
            guard equal else { break }
            count += 1
        }
        return count
    }

    /// The Levenshtein distance between two strings (bytes).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        if left.isEmpty { return right.count }
        var previous = Array(0...right.count)
        var current = previous
        for i in 1...left.count {
            current[0] = i
            for j in stride(from: 1, through: right.count, by: 1) {
                let cost = left[i - 1] == right[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}
