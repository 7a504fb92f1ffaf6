/// What the snapshot builder needs to know about a certificate Secret. Parsing X.509 is the data plane's
/// business (it owns the TLS library); the builder receives an inspector, so the core stays free of it.
public protocol CertificateInspector: Sendable {
    /// Inspects a PEM certificate chain (leaf first) and a PEM private key.
    func inspect(chainPEM: [UInt8], keyPEM: [UInt8]) -> Result<CertificateFacts, CertificateProblem>
}

/// Facts about a usable certificate chain and key.
public struct CertificateFacts: Hashable, Sendable {
    /// The leaf's validity start, seconds since 1970.
    public var notBefore: Int
    /// The leaf's validity end, seconds since 1970.
    public var notAfter: Int
    /// DNS names of the leaf's subjectAltName extension (lowercased), else its common name.
    public var dnsNames: [String]
    /// A short description of the key, e.g. `ECDSA P-256` or `RSA`.
    public var keyType: String
    /// The leaf's subject, for logs and explain.
    public var subject: String

    /// Creates facts.
    public init(notBefore: Int, notAfter: Int, dnsNames: [String], keyType: String, subject: String) {
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.dnsNames = dnsNames
        self.keyType = keyType
        self.subject = subject
    }

    /// Whether one of the certificate's names covers `host` (exact, or a `*.` name covering one label).
    public func covers(_ host: String) -> Bool {
        let host = host.lowercased()
        for name in dnsNames {
            if name == host { return true }
            if name.hasPrefix("*."), let dot = host.firstIndex(of: "."), host[host.index(after: dot)...] == name.dropFirst(2),
                dot != host.startIndex
            {
                return true
            }
        }
        return false
    }
}

/// Why a certificate Secret cannot be used.
public struct CertificateProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The reason, e.g. `tls.key does not match the certificate`.
    public var reason: String

    /// Creates a problem.
    public init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}
