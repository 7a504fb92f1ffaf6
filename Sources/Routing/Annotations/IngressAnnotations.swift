import KubeModel

/// Parses ingress-nginx annotations (`nginx.ingress.kubernetes.io/*`) into a ``RoutePolicy``.
/// Bad values become issues naming the annotation, and the default is kept for that setting.
public enum IngressAnnotations {
    /// The annotation prefix ingress-nginx uses.
    public static let prefix = "nginx.ingress.kubernetes.io/"

    /// Annotations understood now, and why some known ones are not acted upon yet.
    static let understood: Set<String> = [
        "rewrite-target", "use-regex", "proxy-connect-timeout", "proxy-read-timeout", "proxy-send-timeout",
        "proxy-body-size", "proxy-next-upstream-tries", "ssl-redirect", "force-ssl-redirect", "backend-protocol",
    ]

    /// The policy for one Ingress, plus issues for values that could not be used.
    public static func parse(_ meta: ObjectMeta, object: ObjectRef) -> (RoutePolicy, [ConfigIssue]) {
        // Most Ingresses set no annotation: skip the lookups (each builds its key).
        guard let annotations = meta.annotations, !annotations.isEmpty else { return (.defaults, []) }
        var policy = RoutePolicy.defaults
        var issues: [ConfigIssue] = []
        func field(_ key: String) -> String { "metadata.annotations[\(prefix)\(key)]" }
        func value(_ key: String) -> String? { annotations[prefix + key] }
        func invalid(_ key: String, _ raw: String, _ detail: String) {
            issues.append(ConfigIssue(object: object, .invalid(field(key), raw, detail + "; using the default")))
        }
        func seconds(_ key: String, into target: inout Int) {
            guard let raw = value(key) else { return }
            if let number = Int(raw.trimmingSpaces), number > 0 {
                target = number
            } else {
                invalid(key, raw, "must be a positive number of seconds")
            }
        }

        if let target = value("rewrite-target") {
            if target.isEmpty {
                invalid("rewrite-target", target, "must not be empty")
            } else {
                policy.rewriteTarget = target
            }
        }
        func flag(_ key: String, into target: inout Bool) {
            guard let raw = value(key) else { return }
            switch raw.lowercased() {
            case "true": target = true
            case "false": target = false
            default: invalid(key, raw, "must be \"true\" or \"false\"")
            }
        }
        flag("use-regex", into: &policy.useRegex)
        seconds("proxy-connect-timeout", into: &policy.connectTimeoutSeconds)
        seconds("proxy-read-timeout", into: &policy.readTimeoutSeconds)
        seconds("proxy-send-timeout", into: &policy.sendTimeoutSeconds)
        if let raw = value("proxy-body-size") {
            if let size = parseSize(raw) {
                policy.maxBodyBytes = size == 0 ? nil : size
            } else {
                invalid("proxy-body-size", raw, "must be a size such as 8k, 1m or 0 (unlimited)")
            }
        }
        flag("ssl-redirect", into: &policy.sslRedirect)
        flag("force-ssl-redirect", into: &policy.forceSSLRedirect)
        if let raw = value("backend-protocol") {
            if let known = BackendProtocol(rawValue: raw.uppercased()) {
                policy.backendProtocol = known
            } else {
                let supported = BackendProtocol.allCases.map(\.rawValue)
                issues.append(
                    ConfigIssue(object: object, .notSupported(field("backend-protocol"), raw, supported))
                )
            }
        }
        if let raw = value("proxy-next-upstream-tries") {
            if let tries = Int(raw.trimmingSpaces), tries >= 0 {
                policy.upstreamTries = tries == 0 ? Int.max : tries
            } else {
                invalid("proxy-next-upstream-tries", raw, "must be a number of tries (0 = unlimited)")
            }
        }
        for key in annotations.keys.sorted() where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            if !understood.contains(name) {
                issues.append(
                    ConfigIssue(
                        object: object,
                        field: "metadata.annotations[\(key)]",
                        message: "not supported by Gatehouse yet; ignored",
                        severity: .warning
                    )
                )
            }
        }
        return (policy, issues)
    }

    /// Parses an nginx size (`123`, `8k`, `1m`, `2g`, case-insensitive); nil when malformed.
    public static func parseSize(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces.lowercased()
        guard let last = trimmed.last else { return nil }
        var digits = Substring(trimmed)
        var multiplier = 1
        switch last {
        case "k": multiplier = 1024; digits = digits.dropLast()
        case "m": multiplier = 1024 * 1024; digits = digits.dropLast()
        case "g": multiplier = 1024 * 1024 * 1024; digits = digits.dropLast()
        default: break
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits) else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}

extension Character {
    /// True for `0`…`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
