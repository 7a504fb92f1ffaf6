import KubeModel

/// Builds the ``Explanation`` of one request from the objects and the snapshot built from them. Pure: the snapshot
/// (built with whatever certificate inspector and clock the caller has) and the NetworkPolicy check come in as values.
public struct Explainer: Sendable {
    /// The objects.
    public let state: ClusterState
    /// The snapshot built from `state` with `options.routing`.
    public let snapshot: RoutingSnapshot
    /// Listener ports, controller identity, routing options.
    public let options: ExplainOptions
    /// Decides whether the controller may reach each endpoint; nil leaves the NetworkPolicy column out.
    public let access: (any EndpointAccessCheck)?

    /// Creates an explainer.
    public init(state: ClusterState, snapshot: RoutingSnapshot, options: ExplainOptions, access: (any EndpointAccessCheck)?) {
        self.state = state
        self.snapshot = snapshot
        self.options = options
        self.access = access
    }

    /// The trace of `request`.
    public func explain(_ request: ExplainRequest) -> Explanation {
        let resolution = snapshot.resolve(host: request.hostHeader, target: request.target)
        let route = resolution?.route
        let cluster = route.flatMap { snapshot.cluster(for: $0.backend) }
        let endpoints = cluster.map(endpointsStep)
        let redirect = route.flatMap { redirectStep(request, route: $0) }
        var rewrite: Explanation.Rewrite?
        if let route, let resolution, let pathRewrite = route.rewrite {
            rewrite = Explanation.Rewrite(rewriteTarget: pathRewrite.target, from: request.target, to: resolution.upstreamTarget)
        }
        return Explanation(
            request: request,
            entry: entryStep(request),
            controller: controllerStep(route),
            rule: ruleStep(resolution),
            service: route.map(serviceStep),
            endpoints: endpoints,
            tls: tlsStep(serverName: request.host, used: request.scheme == "https"),
            redirect: redirect,
            rewrite: rewrite,
            outcome: outcome(request, resolution, redirect: redirect, endpoints: endpoints)
        )
    }

    // MARK: - Step 1: entry

    /// How the name reaches the controller: its LoadBalancer Service (with the addresses in its
    /// `status.loadBalancer`) or NodePort Service (with the node port to use), else the standalone listener.
    func entryStep(_ request: ExplainRequest) -> Explanation.Entry {
        let listenerPort = request.scheme == "https" ? options.httpsPort : options.httpPort
        let flag = request.scheme == "https" ? "--https-port" : "--http-port"
        if let identity = options.controller, let (ref, service) = controllerService(identity) {
            let type = service.spec?.type ?? "ClusterIP"
            let ports = service.spec?.ports ?? []
            let texts = ports.map(Self.describe)
            let missing = { (wanted: String) in
                "\(type) Service \(ref) selects the controller's Pods but has no \(wanted) \(request.port) (ports: \(texts.joined(separator: ", ")))"
            }
            if type == "LoadBalancer" {
                let addresses = (service.status?.loadBalancer?.ingress ?? []).compactMap(\.address)
                let reach =
                    addresses.isEmpty
                    ? "\(request.host) resolves to the external address of LoadBalancer Service \(ref) (none in its status.loadBalancer yet)"
                    : "\(request.host) resolves to \(addresses.joined(separator: " or ")), the external address of LoadBalancer Service \(ref)"
                let summary =
                    ports.first { $0.port == request.port }.map {
                        "\(reach); its port \(request.port) forwards to the controller's Pods on \(Self.target(of: $0))"
                    } ?? missing("port")
                return Explanation.Entry(
                    kind: type, service: ref.description, addresses: addresses.isEmpty ? nil : addresses, ports: texts, summary: summary)
            }
            let summary: String
            if let port = ports.first(where: { $0.nodePort == request.port }) {
                summary =
                    "\(request.host) resolves to a node; NodePort Service \(ref) forwards node port \(request.port) to the controller's Pods on \(Self.target(of: port))"
            } else if let port = ports.first(where: { $0.port == request.port }) {
                let reach: String
                if let nodePort = port.nodePort {
                    reach =
                        "takes its port \(request.port) on node port \(nodePort) of every node: the request must go to \(request.scheme)://\(request.host):\(nodePort)\(request.target), or through a load balancer in front of the nodes that forwards to that node port"
                } else {
                    reach =
                        "takes its port \(request.port) on a node port the cluster assigns (not in the manifests: `kubectl get service` shows it), which the request must go to"
                }
                summary =
                    "\(request.host) resolves to a node; NodePort Service \(ref) \(reach); it forwards to the controller's Pods on \(Self.target(of: port))"
            } else {
                summary = missing("port or node port")
            }
            return Explanation.Entry(kind: type, service: ref.description, ports: texts, summary: summary)
        }
        var summary =
            "no LoadBalancer or NodePort Service for the controller in the manifests: \(request.host) must resolve to the machine running `gatehouse serve` (DNS or /etc/hosts), whose \(request.scheme) listener takes port \(listenerPort) (\(flag))"
        if request.port != listenerPort { summary += "; the URL's port \(request.port) must lead there" }
        return Explanation.Entry(kind: "listener", service: nil, ports: [], summary: summary)
    }

    /// Where a Service port leads on the controller's Pods: `port 8443`, `their port named "https"`.
    static func target(of port: ServicePort) -> String {
        switch port.targetPort {
        case .int(let number): "port \(number)"
        case .string(let name): "their port named \"\(name)\""
        case nil: "port \(port.port.map(String.init) ?? "?")"
        }
    }

    /// The controller's Service: a LoadBalancer (preferred) or NodePort Service in its namespace whose selector
    /// picks its labels.
    func controllerService(_ identity: ControllerIdentity) -> (ObjectRef, Service)? {
        let candidates = state.services.filter { ref, service in
            guard ref.namespace == identity.namespace, let selector = service.spec?.selector, !selector.isEmpty else { return false }
            let type = service.spec?.type ?? "ClusterIP"
            return (type == "LoadBalancer" || type == "NodePort") && LabelSelector(matchLabels: selector).matches(identity.labels)
        }
        return candidates.sorted { lhs, rhs in
            let left = lhs.value.spec?.type == "LoadBalancer" ? 0 : 1
            let right = rhs.value.spec?.type == "LoadBalancer" ? 0 : 1
            return left != right ? left < right : lhs.key < rhs.key
        }
        .first.map { ($0.key, $0.value) }
    }

    /// `443/TCP → 8443 (https, nodePort 30443)`.
    static func describe(_ port: ServicePort) -> String {
        var text = "\(port.port.map(String.init) ?? "?")/\(port.protocol ?? "TCP")"
        if let target = port.targetPort { text += " → \(target)" }
        var notes: [String] = []
        if let name = port.name { notes.append(name) }
        if let nodePort = port.nodePort { notes.append("nodePort \(nodePort)") }
        if !notes.isEmpty { text += " (\(notes.joined(separator: ", ")))" }
        return text
    }

    // MARK: - Step 2: controller and IngressClass

    /// Which Ingress the request belongs to, its class, and why this controller serves it.
    func controllerStep(_ route: Route?) -> Explanation.Controller {
        let filter = IngressClassFilter(state: state, options: options.routing)
        var step = Explanation.Controller(
            controllerClass: options.routing.controllerClass, identity: options.controller?.description, ingress: nil, requestedClass: nil,
            ingressClass: nil, ingressClassController: nil, served: false,
            reason: "no Ingress rule or default backend takes the request; this controller serves the classes "
                + filter.servedClassNames.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                + (filter.servesClassless ? " and Ingresses without a class" : "")
        )
        guard let route, let ingress = state.ingresses[route.source.ingress] else { return step }
        step.ingress = route.source.ingress.description
        let requested = IngressClassFilter.requestedClass(of: ingress)
        step.requestedClass = requested
        let decision = filter.decide(ingress)
        step.served = decision.served
        step.reason = decision.reason
        guard let requested else { return step }
        if let ingressClass = state.ingressClasses[requested] {
            step.ingressClass = requested
            step.ingressClassController = ingressClass.spec?.controller
            if ingressClass.spec?.controller == options.routing.controllerClass {
                step.reason =
                    "IngressClass \"\(requested)\" names controller \(options.routing.controllerClass), this controller (--controller-class)"
                return step
            }
        }
        if options.routing.ingressClasses.contains(requested) {
            step.reason =
                "class \"\(requested)\" is served through --ingress-class (\(options.routing.ingressClasses.sorted().joined(separator: ", ")))"
        }
        return step
    }

    // MARK: - Step 4: Service

    /// The Service and port behind a route, or why there is none.
    func serviceStep(_ route: Route) -> Explanation.ServiceStep {
        let namespace = route.source.ingress.namespace ?? "default"
        let written = writtenBackend(route.source)
        var step = Explanation.ServiceStep(
            backend: written.map(Self.describe) ?? "?", service: nil, type: nil, port: nil, targetPort: nil, problem: nil)
        if let name = written?.service?.name, let service = state.service(namespace: namespace, name: name) {
            step.service = "\(namespace)/\(name)"
            step.type = service.spec?.type ?? "ClusterIP"
        }
        switch route.backend {
        case .unavailable(let status, let reason):
            step.problem = "\(reason); requests get \(status)"
        case .cluster(let index):
            let cluster = snapshot.clusters[index]
            guard let service = state.service(namespace: cluster.id.namespace, name: cluster.id.service),
                let port = (service.spec?.ports ?? []).first(where: { $0.port == cluster.id.port })
            else { break }
            step.port = "\(cluster.id.port)/\(port.protocol ?? "TCP")" + (port.name.map { " (name \($0))" } ?? "")
            if service.spec?.type == "ExternalName" {
                step.targetPort = "ExternalName \(service.spec?.externalName ?? "?")"
            } else {
                switch port.targetPort {
                case .int(let number): step.targetPort = "\(number)"
                case .string(let name): step.targetPort = "the container port named \"\(name)\""
                case nil: step.targetPort = "\(cluster.id.port) (targetPort omitted: same as the port)"
                }
            }
        }
        return step
    }

    /// The backend as the Ingress writes it at the route's field.
    func writtenBackend(_ source: RouteSource) -> IngressBackend? {
        guard let spec = state.ingresses[source.ingress]?.spec else { return nil }
        if source.field == "spec.defaultBackend" { return spec.defaultBackend }
        for (ruleIndex, rule) in (spec.rules ?? []).enumerated() {
            for (pathIndex, entry) in (rule.http?.paths ?? []).enumerated()
            where source.field == "spec.rules[\(ruleIndex)].http.paths[\(pathIndex)]" {
                return entry.backend
            }
        }
        return nil
    }

    /// `service user-service, port 80` or `resource StorageBucket assets`.
    static func describe(_ backend: IngressBackend) -> String {
        if let service = backend.service {
            let port = service.port?.number.map(String.init) ?? service.port?.name.map { "\"\($0)\"" } ?? "?"
            return "service \(service.name ?? "?"), port \(port)"
        }
        return "resource \(backend.resource?.kind ?? "?") \(backend.resource?.name ?? "?")"
    }

    // MARK: - Step 5: endpoints

    /// The cluster's endpoints with readiness, the next pick and NetworkPolicy.
    func endpointsStep(_ cluster: Cluster) -> Explanation.Endpoints {
        let next = cluster.endpoints.first
        let items = cluster.allEndpoints.map { endpoint in
            Explanation.EndpointInfo(
                address: endpoint.description, ready: endpoint.ready, pod: endpoint.pod?.description, next: endpoint == next,
                networkPolicy: access?.access(to: endpoint, of: cluster.id))
        }
        return Explanation.Endpoints(
            source: cluster.endpointSource, ready: cluster.endpoints.count, total: cluster.allEndpoints.count, next: next?.description,
            items: items)
    }

    // MARK: - TLS, redirect, outcome

    /// The certificate an HTTPS handshake with SNI `serverName` gets, from the snapshot's certificate table, and
    /// which `spec.tls` entry it comes from (or which one failed, and why).
    func tlsStep(serverName: String, used: Bool) -> Explanation.TLS {
        let (certificate, selection) = snapshot.tls.certificate(forServerName: serverName)
        let entries = tlsEntries(covering: serverName)
        var step = Explanation.TLS(
            used: used, serverName: serverName, selection: selection.rawValue, certificate: "", ingress: nil, field: nil, names: nil,
            notAfter: nil, problem: nil)
        if let facts = certificate?.facts {
            step.names = facts.dnsNames
            step.notAfter = CivilTime(epochSeconds: facts.notAfter).rfc3339
        }
        if let certificate, selection != .default {
            step.certificate = "Secret \(certificate.secret)"
            let source = entries.first { $0.secret == certificate.secret } ?? entries.first
            step.ingress = source?.ingress.description
            step.field = source?.field
            return step
        }
        step.certificate =
            certificate.map { "the default certificate: Secret \($0.secret) (--default-ssl-certificate)" }
            ?? "the default certificate (generated, self-signed)"
        guard let entry = entries.first else {
            step.problem = "no spec.tls entry of a served Ingress lists \(serverName)"
            return step
        }
        step.ingress = entry.ingress.description
        step.field = entry.field
        let issue = snapshot.issues.first {
            $0.object == entry.ingress && ($0.field == entry.field || $0.field.hasPrefix(entry.field + "."))
        }
        step.problem = issue?.message ?? "\(entry.ingress) \(entry.field) names Secret \"\(entry.secret.name)\", which is not usable"
        return step
    }

    /// The `spec.tls` entries of served Ingresses (oldest first) whose hosts cover `serverName`.
    func tlsEntries(covering serverName: String) -> [(ingress: ObjectRef, field: String, secret: ObjectRef)] {
        let served = Set(snapshot.servedIngresses)
        var found: [(ingress: ObjectRef, field: String, secret: ObjectRef)] = []
        for (ref, ingress) in SnapshotBuilder.byAge(state.ingresses) where served.contains(ref) {
            let spec = ingress.spec ?? IngressSpec()
            let ruleHosts = (spec.rules ?? []).compactMap { $0.host?.lowercased() }.filter { !$0.isEmpty }
            for (index, entry) in (spec.tls ?? []).enumerated() {
                var hosts = (entry.hosts ?? []).map { $0.lowercased() }
                if hosts.isEmpty { hosts = ruleHosts }
                guard
                    hosts.contains(where: {
                        Self.relation(ruleHost: $0, host: serverName) == .exact
                            || Self.relation(ruleHost: $0, host: serverName) == .wildcard
                    })
                else { continue }
                found.append(
                    (
                        ingress: ref, field: "spec.tls[\(index)]",
                        secret: ObjectRef(kind: "Secret", namespace: ref.namespace, name: entry.secretName ?? "")
                    ))
            }
        }
        return found
    }

    /// The HTTPS redirect a plain HTTP request gets, if any.
    func redirectStep(_ request: ExplainRequest, route: Route) -> Explanation.Redirect? {
        guard request.scheme == "http", route.redirectToHTTPS else { return nil }
        let reason =
            route.policy.forceSSLRedirect
            ? "force-ssl-redirect is set on \(route.source.ingress)"
            : "the host has TLS (spec.tls) and ssl-redirect is on (the default)"
        return Explanation.Redirect(status: 308, location: "https://\(request.host)\(request.target)", reason: reason)
    }

    /// What the client gets.
    func outcome(
        _ request: ExplainRequest, _ resolution: RequestResolution?, redirect: Explanation.Redirect?, endpoints: Explanation.Endpoints?
    ) -> Explanation.Outcome {
        guard let resolution else {
            return Explanation.Outcome(
                action: "respond", status: 400, summary: "400: the target is not an absolute path or climbs above the root")
        }
        guard let route = resolution.route else {
            return Explanation.Outcome(
                action: "respond", status: 404,
                summary: "404: no rule matches \(request.host)\(resolution.path) and there is no default backend")
        }
        if let redirect {
            return Explanation.Outcome(
                action: "redirect", status: redirect.status, summary: "\(redirect.status) redirect to \(redirect.location)")
        }
        switch route.backend {
        case .unavailable(let status, let reason):
            return Explanation.Outcome(action: "respond", status: status, summary: "\(status): \(reason)")
        case .cluster(let index):
            let cluster = snapshot.clusters[index]
            guard let next = cluster.endpoints.first else {
                return Explanation.Outcome(
                    action: "respond", status: 503, summary: "503: Service \(cluster.id) has no ready endpoint")
            }
            var summary = "proxied to \(next)" + (next.pod.map { " (Pod \($0))" } ?? "") + " as GET \(resolution.upstreamTarget)"
            if let access = endpoints?.items.first(where: { $0.next })?.networkPolicy, access.outcome == .blocked {
                summary +=
                    "; but NetworkPolicy drops the connection: after the connect timeout (\(route.policy.connectTimeoutSeconds) s) the request moves to the next endpoint or fails with 504"
            }
            return Explanation.Outcome(action: "proxy", status: nil, summary: summary)
        }
    }
}
