/// The human form of an explanation: the five numbered steps, then TLS, redirect, rewrite and the result.
extension Explanation {
    /// The explanation as text, ending in a newline.
    public var text: String {
        var lines = ["GET \(request.url)"]
        func add(_ label: String, _ text: String) { lines.append("\(label): \(text)") }
        func detail(_ text: String) { lines.append("   " + text) }

        add("1. Entry", entry.summary)

        var controllerText = "controller class \(controller.controllerClass)"
        if let identity = controller.identity { controllerText += "; its Pods: \(identity)" }
        add("2. Controller", controllerText)
        if let ingress = controller.ingress {
            let asks = controller.requestedClass.map { "asks for class \"\($0)\"" } ?? "names no class"
            detail("Ingress \(ingress) \(asks): \(controller.served ? "served" : "not served"): \(controller.reason)")
        } else {
            detail(controller.reason)
        }

        switch rule.kind {
        case "path":
            add("3. Rule", ruleText(rule.matched))
        case "host default backend", "default backend":
            add("3. Rule", "no path matches; the \(rule.kind) takes the request: " + ruleText(rule.matched))
        default:
            add("3. Rule", "no rule matches (host match: \(rule.hostMatch))")
        }
        if let closest = rule.closest {
            detail("closest: " + closest.reason + (closest.ingress.map { " (\($0) \(closest.field ?? ""))" } ?? ""))
        }
        for lost in rule.lost {
            detail("lost: \(lost.ingress) \(lost.field) host \(lost.host) \(lost.pathType) \(lost.path): \(lost.reason)")
        }

        if let service {
            var text = service.backend
            if let name = service.service { text += " → Service \(name) (\(service.type ?? "ClusterIP"))" }
            if let port = service.port { text += " port \(port)" }
            if let target = service.targetPort { text += " → targetPort \(target)" }
            if let problem = service.problem { text += ": \(problem)" }
            add("4. Service", text)
        } else {
            add("4. Service", "none")
        }

        if let endpoints {
            add("5. Endpoints", "\(endpoints.ready) of \(endpoints.total) ready (from \(endpoints.source))")
            for item in endpoints.items {
                var text = "\(item.address) \(item.ready ? "ready" : "not ready")"
                if let pod = item.pod { text += ", Pod \(pod)" }
                if item.next { text += ", next (round-robin starts here)" }
                if let access = item.networkPolicy { text += "; NetworkPolicy \(access)" }
                detail(text)
            }
        } else {
            add("5. Endpoints", "none")
        }

        var tlsText =
            tls.used
            ? "SNI \(tls.serverName) gets \(tls.certificate)"
            : "not used (plain HTTP); over HTTPS, SNI \(tls.serverName) would get \(tls.certificate)"
        if tls.selection != "default", let ingress = tls.ingress {
            tlsText += " from \(ingress) \(tls.field ?? "") (\(tls.selection) host)"
        }
        if let names = tls.names { tlsText += "; names: \(names.joined(separator: ", "))" }
        if let notAfter = tls.notAfter { tlsText += "; expires \(notAfter)" }
        if let problem = tls.problem { tlsText += "; \(problem)" }
        add("TLS", tlsText)
        add("Redirect", redirect.map { "\($0.status) to \($0.location): \($0.reason)" } ?? "none")
        add("Rewrite", rewrite.map { "\($0.from) → \($0.to) (rewrite-target \"\($0.rewriteTarget)\")" } ?? "none")
        add("Result", outcome.summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `default/my-ingress spec.rules[0].http.paths[0]: host api.example.com, Prefix /users (whole path elements)`.
    private func ruleText(_ reference: RuleRef?) -> String {
        guard let reference else { return "none" }
        var text = "\(reference.ingress) \(reference.field): host \(reference.host) (\(rule.hostMatch) match), \(reference.matchedAs)"
        if rule.regexMode && reference.pathType != "Default" {
            text += "; the host is in regex mode (use-regex or rewrite-target), so every path is a regex"
        }
        return text
    }
}
