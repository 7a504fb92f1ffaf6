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

    /// Identifies the content of a certificate, for the parse cache.
    struct ContentKey: Hashable, Sendable {
        let chain: [UInt8]
        let key: [UInt8]
    }

    private struct State: Sendable {
        var table = TLSTable()
        var loaded: [ContentKey: Loaded] = [:]
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

    /// Installs the certificates of a new snapshot.
    public func update(_ table: TLSTable) {
        var needed: [ContentKey: TLSCertificate] = [:]
        for certificate in Array(table.exact.values) + Array(table.wildcard.values) + [table.defaultCertificate].compactMap({ $0 }) {
            needed[ContentKey(chain: certificate.chainPEM, key: certificate.keyPEM)] = certificate
        }
        let existing = state.withLock { $0.loaded }
        var loaded: [ContentKey: Loaded] = [:]
        for (key, certificate) in needed {
            if let already = existing[key] {
                loaded[key] = already
                continue
            }
            do {
                let chain = try NIOSSLCertificate.fromPEMBytes(certificate.chainPEM)
                let privateKey = try NIOSSLPrivateKey(bytes: certificate.keyPEM, format: .pem)
                loaded[key] = Loaded(chain: chain, key: privateKey)
            } catch {
                logger.error("certificate could not be loaded; its hosts get the default certificate", metadata: ["secret": "\(certificate.secret)"])
            }
        }
        state.withLock { $0 = State(table: table, loaded: loaded) }
    }

    /// The chain and key for a handshake's SNI name (nil: no SNI) and how they were chosen.
    func certificate(forServerName name: String?) -> (Loaded, TLSTable.Selection) {
        state.withLock { state in
            let (certificate, selection) = state.table.certificate(forServerName: name)
            if let certificate, let loaded = state.loaded[ContentKey(chain: certificate.chainPEM, key: certificate.keyPEM)] {
                return (loaded, selection)
            }
            if let fallbackCertificate = state.table.defaultCertificate,
                let loaded = state.loaded[ContentKey(chain: fallbackCertificate.chainPEM, key: fallbackCertificate.keyPEM)]
            {
                return (loaded, .default)
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

    /// The server TLS context: TLS 1.2 and 1.3, modern ciphers, ALPN `h2` and `http/1.1`, certificates by SNI.
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
        return try NIOSSLContext(configuration: configuration)
    }
}
