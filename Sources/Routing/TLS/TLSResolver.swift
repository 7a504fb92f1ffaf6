import KubeModel

/// Builds the ``TLSTable`` from the served Ingresses' `spec.tls` entries: each host gets the certificate of the
/// oldest Ingress naming it, when its Secret exists, decodes, matches its key, is valid now and covers the host;
/// otherwise the host gets the default certificate and the Ingress gets an issue.
struct TLSResolver {
    /// A Secret's certificate material, decoded, with the inspector's verdict: kept from one build to the next by the
    /// incremental builder while the Secret stays the same (the validity window is checked against each build's
    /// time). Assumes the inspector's verdict depends only on the content.
    struct DecodedSecret: Sendable {
        let secret: Secret
        let chain: [UInt8]?
        let key: [UInt8]?
        var verdict: Result<CertificateFacts, CertificateProblem>?
    }

    let state: ClusterState
    let inspector: (any CertificateInspector)?
    let now: Int?
    /// Secrets decoded by an earlier build (given) and by this one (all that were loaded, afterwards).
    private(set) var decoded: [ObjectRef: DecodedSecret]
    /// The Secrets this build loaded.
    private var used: Set<ObjectRef> = []
    private var loaded: [ObjectRef: Result<TLSCertificate, CertificateProblem>] = [:]
    private var exact: [String: (TLSCertificate, ObjectRef)] = [:]
    private var wildcard: [String: (TLSCertificate, ObjectRef)] = [:]
    /// Hosts listed in a served Ingress's `spec.tls` (exact names and `*.` names).
    private(set) var tlsHosts: Set<String> = []
    /// Problems found.
    private(set) var issues: [ConfigIssue] = []
    /// The first time (seconds since 1970) at which a certificate checked so far becomes valid or expires, which
    /// changes the outcome; nil when none will.
    private(set) var outcomeChanges: Int?

    init(state: ClusterState, inspector: (any CertificateInspector)?, now: Int?, decoded: [ObjectRef: DecodedSecret] = [:]) {
        self.state = state
        self.inspector = inspector
        self.now = now
        self.decoded = decoded
    }

    /// The decoded Secrets this build loaded (to give the next build).
    var decodedInUse: [ObjectRef: DecodedSecret] { decoded.filter { used.contains($0.key) } }

    /// Adds the TLS entries of one served Ingress (call oldest first).
    mutating func add(_ ingress: Ingress, ref: ObjectRef) {
        let spec = ingress.spec ?? IngressSpec()
        let ruleHosts = (spec.rules ?? []).compactMap { $0.host.map(SnapshotBuilder.lowercased) }.filter { !$0.isEmpty }
        for (index, entry) in (spec.tls ?? []).enumerated() {
            let field = "spec.tls[\(index)]"
            var hosts = (entry.hosts ?? []).map(SnapshotBuilder.lowercased)
            if hosts.isEmpty { hosts = ruleHosts }
            tlsHosts.formUnion(hosts)
            guard let secretName = entry.secretName, !secretName.isEmpty else {
                issues.append(
                    ConfigIssue(
                        object: ref, field: field + ".secretName", message: "no secretName; its hosts get the default certificate",
                        severity: .warning)
                )
                continue
            }
            let secretRef = ObjectRef(kind: "Secret", namespace: ref.namespace, name: secretName)
            let certificate: TLSCertificate
            switch load(secretRef) {
            case .failure(let problem):
                issues.append(
                    ConfigIssue(
                        object: ref,
                        field: field + ".secretName",
                        message: "\(problem.reason); \(Self.hostList(hosts)) \(hosts.count == 1 ? "gets" : "get") the default certificate"
                    )
                )
                continue
            case .success(let value):
                certificate = value
            }
            for host in hosts {
                if let facts = certificate.facts, !facts.covers(host) {
                    issues.append(
                        ConfigIssue(
                            object: ref,
                            field: field + ".hosts",
                            message:
                                "the certificate in Secret \"\(secretName)\" does not cover \"\(host)\" (it names \(facts.dnsNames.joined(separator: ", "))); that host gets the default certificate"
                        )
                    )
                    continue
                }
                let isWildcard = host.hasPrefix("*.")
                let key = isWildcard ? String(host.dropFirst(2)) : host
                if let (_, owner) = isWildcard ? wildcard[key] : exact[key] {
                    if owner != ref {
                        issues.append(
                            ConfigIssue(
                                object: ref,
                                field: field + ".hosts",
                                message: "the certificate for \"\(host)\" is already set by the older Ingress \(owner); ignored",
                                severity: .warning
                            )
                        )
                    }
                    continue
                }
                if isWildcard { wildcard[key] = (certificate, ref) } else { exact[key] = (certificate, ref) }
            }
        }
    }

    /// Loads the `--default-ssl-certificate` Secret; problems are reported on the Secret.
    mutating func loadDefault(_ secretRef: ObjectRef) -> TLSCertificate? {
        switch load(secretRef) {
        case .success(let certificate): return certificate
        case .failure(let problem):
            issues.append(ConfigIssue(object: secretRef, field: "data", message: "cannot be the default certificate: \(problem.reason)"))
            return nil
        }
    }

    /// The compiled table.
    func table(defaultCertificate: TLSCertificate?) -> TLSTable {
        TLSTable(exact: exact.mapValues(\.0), wildcard: wildcard.mapValues(\.0), defaultCertificate: defaultCertificate)
    }

    /// Reads and checks one Secret (once per build).
    private mutating func load(_ secretRef: ObjectRef) -> Result<TLSCertificate, CertificateProblem> {
        if let result = loaded[secretRef] { return result }
        let result = check(secretRef)
        loaded[secretRef] = result
        return result
    }

    private mutating func check(_ secretRef: ObjectRef) -> Result<TLSCertificate, CertificateProblem> {
        guard let secret = state.secret(namespace: secretRef.namespace ?? "default", name: secretRef.name) else {
            return .failure(CertificateProblem("Secret \"\(secretRef.name)\" not found"))
        }
        var material: DecodedSecret
        if let known = decoded[secretRef], known.secret == secret {
            material = known
        } else {
            material = DecodedSecret(secret: secret, chain: secret.value("tls.crt"), key: secret.value("tls.key"), verdict: nil)
        }
        used.insert(secretRef)
        decoded[secretRef] = material
        guard let chain = material.chain, !chain.isEmpty else {
            return .failure(CertificateProblem("Secret \"\(secretRef.name)\" has no tls.crt"))
        }
        guard let key = material.key, !key.isEmpty else {
            return .failure(CertificateProblem("Secret \"\(secretRef.name)\" has no tls.key"))
        }
        guard let inspector else {
            return .success(TLSCertificate(secret: secretRef, chainPEM: chain, keyPEM: key, facts: nil))
        }
        let verdict = material.verdict ?? inspector.inspect(chainPEM: chain, keyPEM: key)
        material.verdict = verdict
        decoded[secretRef] = material
        switch verdict {
        case .failure(let problem):
            return .failure(CertificateProblem("Secret \"\(secretRef.name)\": \(problem.reason)"))
        case .success(let facts):
            if let now {
                let change = now < facts.notBefore ? facts.notBefore : now <= facts.notAfter ? facts.notAfter + 1 : nil
                if let change { outcomeChanges = min(outcomeChanges ?? change, change) }
            }
            if let now, now > facts.notAfter {
                return .failure(
                    CertificateProblem("the certificate in Secret \"\(secretRef.name)\" expired at \(Self.date(facts.notAfter))"))
            }
            if let now, now < facts.notBefore {
                return .failure(
                    CertificateProblem("the certificate in Secret \"\(secretRef.name)\" is not valid before \(Self.date(facts.notBefore))"))
            }
            return .success(TLSCertificate(secret: secretRef, chainPEM: chain, keyPEM: key, facts: facts))
        }
    }

    /// `host "a"` or `hosts "a", "b"`.
    static func hostList(_ hosts: [String]) -> String {
        hosts.count == 1 ? "host \"\(hosts[0])\"" : "hosts " + hosts.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    /// RFC 3339 date of an epoch second.
    static func date(_ seconds: Int) -> String { CivilTime(epochSeconds: seconds).rfc3339 }
}
