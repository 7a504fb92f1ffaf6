import KubeModel

/// A certificate chain and key from a `kubernetes.io/tls` Secret, checked and ready for the data plane.
public struct TLSCertificate: Hashable, Sendable {
    /// The Secret it came from.
    public var secret: ObjectRef
    /// `tls.crt`: the PEM chain, leaf first.
    public var chainPEM: [UInt8]
    /// `tls.key`: the PEM private key.
    public var keyPEM: [UInt8]
    /// What the inspector found (nil when no inspector ran).
    public var facts: CertificateFacts?

    /// Creates a certificate.
    public init(secret: ObjectRef, chainPEM: [UInt8], keyPEM: [UInt8], facts: CertificateFacts?) {
        self.secret = secret
        self.chainPEM = chainPEM
        self.keyPEM = keyPEM
        self.facts = facts
    }
}

/// SNI name → certificate, compiled per snapshot: exact names, then one-label wildcards, then the default
/// (the `--default-ssl-certificate` Secret; nil means the data plane's generated one). Also which hosts have TLS
/// configured, for the HTTP → HTTPS redirect.
public struct TLSTable: Hashable, Sendable {
    /// Certificates for exact names.
    public var exact: [String: TLSCertificate]
    /// Certificates for `*.suffix` names, by suffix.
    public var wildcard: [String: TLSCertificate]
    /// The default certificate, nil for the generated one.
    public var defaultCertificate: TLSCertificate?

    /// Creates a table.
    public init(exact: [String: TLSCertificate] = [:], wildcard: [String: TLSCertificate] = [:], defaultCertificate: TLSCertificate? = nil) {
        self.exact = exact
        self.wildcard = wildcard
        self.defaultCertificate = defaultCertificate
    }

    /// How a certificate was chosen.
    public enum Selection: String, Hashable, Sendable {
        /// The SNI name equals a TLS host.
        case exact
        /// A `*.` TLS host covers the SNI name.
        case wildcard
        /// No SNI, or an unknown name.
        case `default`
    }

    /// The certificate for an SNI name (nil name: no SNI); nil certificate means the generated default.
    public func certificate(forServerName name: String?) -> (TLSCertificate?, Selection) {
        guard let name, !name.isEmpty else { return (defaultCertificate, .default) }
        let host = name.lowercased()
        if let certificate = exact[host] { return (certificate, .exact) }
        if let dot = host.firstIndex(of: "."), dot != host.startIndex, let certificate = wildcard[String(host[host.index(after: dot)...])] {
            return (certificate, .wildcard)
        }
        return (defaultCertificate, .default)
    }
}
