/// API-server validation of the objects Gatehouse reads: each function returns every problem with its field path.
/// An object with any error is refused at admission (as the API server would refuse it); the rest keep serving.
public enum ObjectValidation {
    /// The three path types of `networking.k8s.io/v1`.
    public static let pathTypes = ["Exact", "ImplementationSpecific", "Prefix"]

    /// Validates metadata: a name (DNS-1123 subdomain unless `nameIsLabel`) and, for namespaced kinds, the namespace.
    public static func metadata(_ meta: ObjectMeta, namespaced: Bool, nameIsLabel: Bool = false) -> [FieldError] {
        var errors: [FieldError] = []
        let path = FieldPath("metadata")
        if let name = meta.name, !name.isEmpty {
            let problems = nameIsLabel ? NameValidation.dns1035Label(name) : NameValidation.dns1123Subdomain(name)
            errors += problems.map { .invalid(path.child("name").description, name, $0) }
        } else {
            errors.append(.required(path.child("name").description, "name or generateName is required"))
        }
        if namespaced, let namespace = meta.namespace, !namespace.isEmpty {
            errors += NameValidation.dns1123Label(namespace).map {
                .invalid(path.child("namespace").description, namespace, $0)
            }
        }
        return errors
    }

    /// Validates an Ingress as `networking.k8s.io/v1` does.
    public static func ingress(_ ingress: Ingress) -> [FieldError] {
        var errors = metadata(ingress.metadata, namespaced: true)
        let spec = FieldPath("spec")
        let value = ingress.spec ?? IngressSpec()  // a struct in the API: a missing spec is an empty one
        if (value.rules ?? []).isEmpty && value.defaultBackend == nil {
            errors.append(.invalid(spec.description, "", "either `defaultBackend` or `rules` must be specified"))
        }
        if let className = value.ingressClassName {
            // As the API server's ValidateIngressCreate: both may be set only when they agree.
            if let legacy = ingress.metadata.annotation("kubernetes.io/ingress.class"), legacy != className {
                errors.append(
                    .invalid(
                        "metadata.annotations[kubernetes.io/ingress.class]", legacy, "must match `ingressClassName` when both are specified"
                    )
                )
            }
            errors += NameValidation.dns1123Subdomain(className).map {
                .invalid(spec.child("ingressClassName").description, className, $0)
            }
        }
        if let backend = value.defaultBackend {
            errors += ingressBackend(backend, at: spec.child("defaultBackend"))
        }
        for (index, tls) in (value.tls ?? []).enumerated() {
            let path = spec.child("tls").index(index)
            for (hostIndex, host) in (tls.hosts ?? []).enumerated() {
                errors += hostProblems(host, allowIP: true).map {
                    .invalid(path.child("hosts").index(hostIndex).description, host, $0)
                }
            }
            if let secretName = tls.secretName, !secretName.isEmpty {
                errors += NameValidation.dns1123Subdomain(secretName).map {
                    .invalid(path.child("secretName").description, secretName, $0)
                }
            }
        }
        for (index, rule) in (value.rules ?? []).enumerated() {
            let path = spec.child("rules").index(index)
            if let host = rule.host, !host.isEmpty {
                errors += hostProblems(host, allowIP: false).map { .invalid(path.child("host").description, host, $0) }
            }
            guard let http = rule.http else { continue }
            let paths = path.child("http").child("paths")
            if (http.paths ?? []).isEmpty { errors.append(.required(paths.description)) }
            for (pathIndex, entry) in (http.paths ?? []).enumerated() {
                errors += ingressPath(entry, at: paths.index(pathIndex))
            }
        }
        return errors
    }

    /// Problems with a rule or TLS host: an IP literal (rules only), a wildcard not `*.` + subdomain, or a bad subdomain.
    static func hostProblems(_ host: String, allowIP: Bool) -> [String] {
        // The API server reports an IP literal and then still runs the DNS checks (an IPv6 literal fails both).
        let ipProblems = !allowIP && NameValidation.isIPAddress(host) ? ["must be a DNS name, not an IP address"] : []
        if host.utf8.contains(UInt8(ascii: "*")) { return ipProblems + NameValidation.wildcardDNS1123Subdomain(host) }
        return ipProblems + NameValidation.dns1123Subdomain(host)
    }

    /// Validates one HTTP path: pathType, the path's form for that type, and the backend.
    static func ingressPath(_ entry: HTTPIngressPath, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let value = entry.path ?? ""
        func field() -> String { path.child("path").description }
        switch entry.pathType {
        case nil:
            // The API server stops here: without a pathType the path and backend are not examined.
            return [.required(path.child("pathType").description, "pathType must be specified")]
        case "Exact", "Prefix":
            if value.utf8.first != UInt8(ascii: "/") { errors.append(.invalid(field(), value, "must be an absolute path")) }
            if !value.isEmpty {
                for sequence in ["//", "/./", "/../", "%2f", "%2F"] where value.utf8.containsSequence(sequence.utf8) {
                    errors.append(.invalid(field(), value, "must not contain '\(sequence)'"))
                }
                for suffix in ["/..", "/."] where value.utf8.reversed().starts(with: suffix.utf8.reversed()) {
                    errors.append(.invalid(field(), value, "cannot end with '\(suffix)'"))
                }
            }
        case "ImplementationSpecific":
            if !value.isEmpty && value.utf8.first != UInt8(ascii: "/") {
                errors.append(.invalid(field(), value, "must be an absolute path"))
            }
        case .some(let other):
            errors.append(.notSupported(path.child("pathType").description, other, pathTypes))
        }
        // `backend` is a struct in the API, so a missing one is validated as an empty one.
        errors += ingressBackend(entry.backend ?? IngressBackend(), at: path.child("backend"))
        return errors
    }

    /// Validates a backend: service XOR resource; a Service name and port name XOR number.
    static func ingressBackend(_ backend: IngressBackend, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        switch (backend.service, backend.resource) {
        case (.some, .some):
            errors.append(.invalid(path.description, "", "cannot set both resource and service backends"))
        case (nil, nil):
            errors.append(.invalid(path.description, "", "resource or service backend is required"))
        case (nil, .some(let resource)):
            let resourcePath = path.child("resource")
            if (resource.kind ?? "").isEmpty { errors.append(.required(resourcePath.child("kind").description)) }
            if (resource.name ?? "").isEmpty { errors.append(.required(resourcePath.child("name").description)) }
        case (.some(let service), nil):
            let servicePath = path.child("service")
            let name = service.name ?? ""
            if name.isEmpty {
                errors.append(.required(servicePath.child("name").description))
            } else {
                errors += NameValidation.dns1035Label(name).map { .invalid(servicePath.child("name").description, name, $0) }
            }
            let portName = service.port?.name ?? ""
            let portNumber = service.port?.number ?? 0
            switch (portName.isEmpty, portNumber == 0) {
            case (false, false):
                errors.append(.invalid(path.description, "", "cannot set both port name & port number"))
            case (false, true):
                errors += NameValidation.portName(portName).map {
                    .invalid(servicePath.child("port").child("name").description, portName, $0)
                }
            case (true, false):
                errors += NameValidation.portNumber(portNumber).map {
                    .invalid(servicePath.child("port").child("number").description, String(portNumber), $0)
                }
            case (true, true):
                errors.append(.required(path.description, "port name or number is required"))
            }
        }
        return errors
    }

    /// Validates an IngressClass (cluster-scoped; `spec.controller` is required).
    public static func ingressClass(_ ingressClass: IngressClass) -> [FieldError] {
        var errors = metadata(ingressClass.metadata, namespaced: false)
        if (ingressClass.spec?.controller ?? "").isEmpty {
            errors.append(.required("spec.controller"))
        }
        return errors
    }

    /// Validates a Service's name and ports (numbers in range, names unique and required when several).
    public static func service(_ service: Service) -> [FieldError] {
        var errors = metadata(service.metadata, namespaced: true, nameIsLabel: true)
        let ports = service.spec?.ports ?? []
        var seenNames: Set<String> = []
        for (index, port) in ports.enumerated() {
            let path = FieldPath("spec").child("ports").index(index)
            if let number = port.port {
                errors += NameValidation.portNumber(number).map { .invalid(path.child("port").description, String(number), $0) }
            } else if service.spec?.type != "ExternalName" {
                errors.append(.required(path.child("port").description))
            }
            let name = port.name ?? ""
            if name.isEmpty {
                if ports.count > 1 { errors.append(.required(path.child("name").description)) }
            } else {
                errors += NameValidation.dns1123Label(name).map { .invalid(path.child("name").description, name, $0) }
                if !seenNames.insert(name).inserted {
                    errors.append(FieldError(field: path.child("name").description, message: "Duplicate value: \"\(name)\""))
                }
            }
            if let target = port.targetPort {
                switch target {
                case .int(let number):
                    errors += NameValidation.portNumber(number).map {
                        .invalid(path.child("targetPort").description, String(number), $0)
                    }
                case .string(let targetName):
                    errors += NameValidation.portName(targetName).map {
                        .invalid(path.child("targetPort").description, targetName, $0)
                    }
                }
            }
        }
        return errors
    }

    /// Validates an EndpointSlice's address type, addresses and ports.
    public static func endpointSlice(_ slice: EndpointSlice) -> [FieldError] {
        var errors = metadata(slice.metadata, namespaced: true)
        let addressType = slice.addressType ?? ""
        if addressType.isEmpty {
            errors.append(.required("addressType"))
        } else if !["IPv4", "IPv6", "FQDN"].contains(addressType) {
            errors.append(.notSupported("addressType", addressType, ["FQDN", "IPv4", "IPv6"]))
        }
        for (index, endpoint) in (slice.endpoints ?? []).enumerated() {
            let path = FieldPath("endpoints").index(index).child("addresses")
            let addresses = endpoint.addresses ?? []
            if addresses.isEmpty { errors.append(.required(path.description, "must contain at least 1 address")) }
            for (addressIndex, address) in addresses.enumerated() {
                func field() -> String { path.index(addressIndex).description }
                switch addressType {
                case "IPv4":
                    if IPAddress(address)?.family != .v4 { errors.append(.invalid(field(), address, "must be a valid IPv4 address")) }
                case "IPv6":
                    if IPAddress(address)?.family != .v6 { errors.append(.invalid(field(), address, "must be a valid IPv6 address")) }
                case "FQDN":
                    errors += NameValidation.dns1123Subdomain(address).map { .invalid(field(), address, $0) }
                default: break
                }
            }
        }
        for (index, port) in (slice.ports ?? []).enumerated() {
            let path = FieldPath("ports").index(index)
            if let number = port.port {
                errors += NameValidation.portNumber(number).map { .invalid(path.child("port").description, String(number), $0) }
            }
        }
        return errors
    }
}

extension Collection where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (a short needle in a short haystack: no Foundation, no allocation).
    func containsSequence(_ needle: some Collection<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        var start = startIndex
        while let found = self[start...].firstIndex(of: first) {
            if self[found...].starts(with: needle) { return true }
            start = index(after: found)
        }
        return false
    }
}
