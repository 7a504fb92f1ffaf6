import Synchronization
import Testing

@testable import Routing

/// The inspection cache the publisher keeps between builds.
struct CachingCertificateInspectorTests {
    /// Answers from the chain's first byte (0 fails) and counts the inspections per chain.
    final class CountingInspector: CertificateInspector {
        let calls = Mutex<[[UInt8]: Int]>([:])

        func inspect(chainPEM: [UInt8], keyPEM: [UInt8]) -> Result<CertificateFacts, CertificateProblem> {
            calls.withLock { $0[chainPEM, default: 0] += 1 }
            guard let first = chainPEM.first, first != 0 else { return .failure(CertificateProblem("bad")) }
            return .success(CertificateFacts(notBefore: 0, notAfter: Int(first), dnsNames: ["a"], keyType: "RSA", subject: "CN=a"))
        }

        func count(_ chain: [UInt8]) -> Int { calls.withLock { $0[chain] ?? 0 } }
    }

    @Test("a content is inspected once while builds keep asking for it, again after a build that did not")
    func lifetime() {
        let counting = CountingInspector()
        let cache = CachingCertificateInspector(counting)
        let good: [UInt8] = [7, 1]
        let bad: [UInt8] = [0, 1]
        #expect(
            cache.inspect(chainPEM: good, keyPEM: [1])
                == .success(CertificateFacts(notBefore: 0, notAfter: 7, dnsNames: ["a"], keyType: "RSA", subject: "CN=a")))
        #expect(cache.inspect(chainPEM: bad, keyPEM: [1]) == .failure(CertificateProblem("bad")))
        #expect(cache.inspect(chainPEM: good, keyPEM: [1]) == cache.inspect(chainPEM: good, keyPEM: [1]))
        cache.sweep()
        // Build 2 uses `good` only; failures are cached too while in use.
        _ = cache.inspect(chainPEM: good, keyPEM: [1])
        #expect(counting.count(good) == 1)
        cache.sweep()
        #expect(cache.count == 1)
        // The key is part of the content.
        _ = cache.inspect(chainPEM: good, keyPEM: [2])
        #expect(counting.count(good) == 2)
        // `bad` was dropped after the build that did not ask for it.
        _ = cache.inspect(chainPEM: bad, keyPEM: [1])
        #expect(counting.count(bad) == 2)
        cache.sweep()
        cache.sweep()
        #expect(cache.count == 0)
    }
}
