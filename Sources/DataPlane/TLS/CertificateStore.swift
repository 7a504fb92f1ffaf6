import KubeModel
import Logging
import NIOCore
import NIOSSL
import Routing
import Synchronization

/// The certificates the HTTPS listener serves, swapped with each snapshot. Each handshake asks
/// ``select(serverName:)`` (from NIOSSL's context callback) which chain and key to present; PEM is parsed once per
/// distinct Secret content, so rotating a Secret costs one parse and changes only new handshakes.
public final class CertificateStore: Sendable {
    /// A chain and key ready for NIOSSL.
    struct Loaded: @unchecked Sendable {
        // NIOSSL certificates and keys are immutable wrappers of BoringSSL objects; sharing them is safe.
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
    }

    /// A parsed certificate with the PEM it was parsed from (to tell whether a Secret's content changed).
    struct Parsed: Sendable {
        let chainPEM: [UInt8]
        let keyPEM: [UInt8]
        let loaded: Loaded
    }

    /// The table and the parsed certificates of its Secrets, swapped together.
    private struct State: Sendable {
        var table = TLSTable()
        /// By Secret. An unchanged Secret keeps its PEM arrays across snapshots (the builder reuses its decoded
        /// material), so comparing them is a buffer-identity check, not a byte scan.
        var loaded: [ObjectRef: Parsed] = [:]
    }

    private let state = Mutex(State())
    /// The generated default certificate (used when the table has no default of its own).
    let fallback: Loaded
    private let logger: Logger

    /// Creates a store whose last resort is `fallback` (the generated default certificate).
    public init(fallback: DefaultCertificate, logger: Logger) throws {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(fallback.certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(fallback.keyPEM.utf8), format: .pem)
        self.fallback = Loaded(chain: chain, key: key)
        self.logger = logger
    }

    /// Installs the certificates of a new snapshot; PEM is parsed only for Secrets that are new or changed.
    public func update(_ table: TLSTable) {
        let existing = state.withLock { $0.loaded }
        var loaded: [ObjectRef: Parsed] = [:]
        loaded.reserveCapacity(existing.count)
        func add(_ certificate: TLSCertificate) {
            if loaded[certificate.secret] != nil { return }
            if let already = existing[certificate.secret], already.chainPEM == certificate.chainPEM, already.keyPEM == certificate.keyPEM {
                loaded[certificate.secret] = already
                return
            }
            do {
                let chain = try NIOSSLCertificate.fromPEMBytes(certificate.chainPEM)
                let privateKey = try NIOSSLPrivateKey(bytes: certificate.keyPEM, format: .pem)
                loaded[certificate.secret] = Parsed(
                    chainPEM: certificate.chainPEM, keyPEM: certificate.keyPEM, loaded: Loaded(chain: chain, key: privateKey))
            } catch {
                logger.error(
                    "certificate could not be loaded; its hosts get the default certificate", metadata: ["secret": "\(certificate.secret)"])
            }
        }
        for certificate in table.exact.values { add(certificate) }
        for certificate in table.wildcard.values { add(certificate) }
        if let certificate = table.defaultCertificate { add(certificate) }
        state.withLock { $0 = State(table: table, loaded: loaded) }
    }

    /// The chain and key for a handshake's SNI name (nil: no SNI) and how they were chosen.
    func certificate(forServerName name: String?) -> (Loaded, TLSTable.Selection) {
        state.withLock { state in
            let (certificate, selection) = state.table.certificate(forServerName: name)
            if let certificate, let parsed = state.loaded[certificate.secret] {
                return (parsed.loaded, selection)
            }
            if let fallbackCertificate = state.table.defaultCertificate, let parsed = state.loaded[fallbackCertificate.secret] {
                return (parsed.loaded, .default)
            }
            return (fallback, .default)
        }
    }

    /// The NIOSSL override for a handshake.
    func select(serverName: String?) -> NIOSSLContextConfigurationOverride {
        let (loaded, _) = certificate(forServerName: serverName)
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = loaded.chain.map { .certificate($0) }
        override.privateKey = .privateKey(loaded.key)
        return override
    }

    /// The server TLS context: TLS 1.2 and 1.3, modern ciphers (in the order of ``CipherPreference``), ALPN `h2` and
    /// `http/1.1`, certificates by SNI.
    public func makeServerContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: fallback.chain.map { .certificate($0) },
            privateKey: .privateKey(fallback.key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.cipherSuites = [
            "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        ].joined(separator: ":")
        configuration.applicationProtocols = ["h2", "http/1.1"]
        configuration.sslContextCallback = { [self] values, promise in
            promise.succeed(self.select(serverName: values.serverHostname))
        }
        let context = try NIOSSLContext(configuration: configuration)
        if !CipherPreference.apply(to: context) {
            logger.warning("the server's cipher suite order could not be set; clients choose the suite")
        }
        return context
    }
}
