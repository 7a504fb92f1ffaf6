import Synchronization

/// Remembers another inspector's verdicts by certificate content, so a snapshot build parses only the Secrets whose
/// chain or key changed since the previous build (X.509 parsing is most of a build's TLS cost). The validity window
/// is still checked against the time of each build: the facts are cached, not the conclusion.
///
/// Entries live for one build after their last use: ``sweep()``, called after each build, drops what that build
/// did not ask for, so the cache holds at most the certificates of two consecutive builds.
public final class CachingCertificateInspector: CertificateInspector {
    /// A certificate's content: the PEM chain and key exactly as the Secret holds them.
    private struct Key: Hashable, Sendable {
        let chain: [UInt8]
        let key: [UInt8]
    }

    /// The verdicts asked for since the last sweep, and the ones from before it.
    private struct Entries: Sendable {
        var current: [Key: Result<CertificateFacts, CertificateProblem>] = [:]
        var previous: [Key: Result<CertificateFacts, CertificateProblem>] = [:]
    }

    private let inspector: any CertificateInspector
    private let entries = Mutex(Entries())

    /// Wraps `inspector`.
    public init(_ inspector: any CertificateInspector) {
        self.inspector = inspector
    }

    /// The wrapped inspector's verdict on this content, inspected once while it stays in use.
    public func inspect(chainPEM: [UInt8], keyPEM: [UInt8]) -> Result<CertificateFacts, CertificateProblem> {
        let key = Key(chain: chainPEM, key: keyPEM)
        let cached = entries.withLock { entries -> Result<CertificateFacts, CertificateProblem>? in
            if let hit = entries.current[key] { return hit }
            guard let hit = entries.previous.removeValue(forKey: key) else { return nil }
            entries.current[key] = hit
            return hit
        }
        if let cached { return cached }
        let verdict = inspector.inspect(chainPEM: chainPEM, keyPEM: keyPEM)
        entries.withLock { $0.current[key] = verdict }
        return verdict
    }

    /// Forgets the verdicts not asked for since the previous sweep (call once after each build).
    public func sweep() {
        entries.withLock { entries in
            entries.previous = entries.current
            entries.current = [:]
        }
    }

    /// How many verdicts are kept.
    public var count: Int { entries.withLock { $0.current.count + $0.previous.count } }
}
