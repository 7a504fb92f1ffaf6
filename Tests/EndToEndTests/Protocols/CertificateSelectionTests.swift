import Foundation
import Testing

/// Which certificate each SNI name gets from the real binary, checked with `openssl s_client -servername` as a user
/// would: exact names, one-label wildcards, the generated default (unknown names, no SNI), a
/// `--default-ssl-certificate`, RSA and ECDSA keys in every PEM form, `stringData` and `kubectl create secret tls`
/// Secrets, and unusable Secrets (missing, malformed, mismatched key, expired, not covering the host), which leave
/// their host on the default certificate and are reported by `lint`.
@Suite(.serialized)
struct CertificateSelectionTests {
    /// The certificates and manifests of the selection tests, made once per test in a fresh directory.
    struct Setup {
        let directory: URL
        let manifests: URL
        let exact: TestCertificate
        let wildcard: TestCertificate
        let stringData: TestCertificate
        let kubectl: TestCertificate
        let fallback: TestCertificate
        let other: TestCertificate
        let expired: TestCertificate

        static func make() async throws -> Setup {
            let directory = try scratchDirectory("certificates")
            let manifests = directory.appendingPathComponent("manifests", isDirectory: true)
            try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
            let setup = Setup(
                directory: directory,
                manifests: manifests,
                exact: try await .make(
                    in: directory, stem: "exact", commonName: "exact.example.test", dnsNames: ["exact.example.test"], key: .ecdsa),
                wildcard: try await .make(
                    in: directory, stem: "wild", commonName: "*.wild.example.test", dnsNames: ["*.wild.example.test"], key: .rsa),
                stringData: try await .make(
                    in: directory, stem: "string", commonName: "string.example.test", dnsNames: ["string.example.test"], key: .ecdsaSEC1),
                kubectl: try await .make(
                    in: directory, stem: "kubectl", commonName: "kubectl.example.test", dnsNames: ["kubectl.example.test"], key: .rsaPKCS1),
                fallback: try await .make(
                    in: directory, stem: "fallback", commonName: "fallback.example.test", dnsNames: ["fallback.example.test"]),
                other: try await .make(in: directory, stem: "other", commonName: "other.example.test", dnsNames: ["other.example.test"]),
                expired: try await .make(
                    in: directory, stem: "expired", commonName: "expired.example.test", dnsNames: ["expired.example.test"], expired: true)
            )
            let echo = "echo"
            var documents: [String] = []
            documents.append(
                Manifests.ingress("exact", host: "exact.example.test", service: echo, tls: [(["exact.example.test"], "exact-tls")]))
            documents.append(Manifests.tlsSecret("exact-tls", certificate: setup.exact))
            documents.append(
                Manifests.ingress("wild", host: "*.wild.example.test", service: echo, tls: [(["*.wild.example.test"], "wild-tls")]))
            documents.append(Manifests.tlsSecret("wild-tls", certificate: setup.wildcard))
            documents.append(
                Manifests.ingress("string", host: "string.example.test", service: echo, tls: [(["string.example.test"], "string-tls")]))
            documents.append(Manifests.tlsSecret("string-tls", certificate: setup.stringData, form: .stringData))
            documents.append(
                Manifests.ingress("kubectl", host: "kubectl.example.test", service: echo, tls: [(["kubectl.example.test"], "kubectl-tls")]))
            documents.append(Manifests.tlsSecret("kubectl-tls", certificate: setup.kubectl, form: .kubectl))
            // Unusable Secrets: each host must fall back to the default certificate.
            documents.append(
                Manifests.ingress(
                    "missing", host: "missing.example.test", service: echo, tls: [(["missing.example.test"], "no-such-secret")]))
            documents.append(
                Manifests.ingress(
                    "malformed", host: "malformed.example.test", service: echo, tls: [(["malformed.example.test"], "malformed-tls")]))
            documents.append(Manifests.tlsSecret("malformed-tls", certificatePEM: "this is not PEM\n", keyPEM: setup.other.keyPEM))
            documents.append(
                Manifests.ingress(
                    "mismatched", host: "other.example.test", service: echo, tls: [(["other.example.test"], "mismatched-tls")]))
            documents.append(Manifests.tlsSecret("mismatched-tls", certificatePEM: setup.other.certificatePEM, keyPEM: setup.exact.keyPEM))
            documents.append(
                Manifests.ingress("expired", host: "expired.example.test", service: echo, tls: [(["expired.example.test"], "expired-tls")]))
            documents.append(Manifests.tlsSecret("expired-tls", certificate: setup.expired))
            documents.append(
                Manifests.ingress(
                    "uncovered", host: "uncovered.example.test", service: echo, tls: [(["uncovered.example.test"], "other-tls")]))
            documents.append(Manifests.tlsSecret("other-tls", certificate: setup.other))
            documents.append(Manifests.tlsSecret("fallback-tls", certificate: setup.fallback))
            documents.append(Manifests.backend(echo, port: 9))
            try Data(Manifests.join(documents).utf8).write(to: manifests.appendingPathComponent("all.yaml"))
            return setup
        }
    }

    @Test("exact, wildcard and default certificates by SNI; every Secret form and key type; unusable Secrets fall back")
    func selection() async throws {
        let setup = try await Setup.make()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let gatehouse = try await RunningGatehouse.start(manifests: setup.manifests)
        defer { gatehouse.stop() }
        let port = gatehouse.httpsPort

        let exact = try await SClient.certificate(port: port, serverName: "exact.example.test")
        #expect(exact.fingerprint == setup.exact.fingerprint, "exact name: got \(exact)")
        let upper = try await SClient.certificate(port: port, serverName: "EXACT.example.test")
        #expect(upper.fingerprint == setup.exact.fingerprint, "SNI is case-insensitive: got \(upper)")

        let wildcard = try await SClient.certificate(port: port, serverName: "a.wild.example.test")
        #expect(wildcard.fingerprint == setup.wildcard.fingerprint, "one label under the wildcard: got \(wildcard)")
        let twoLabels = try await SClient.certificate(port: port, serverName: "a.b.wild.example.test")
        #expect(twoLabels.subject.contains("Gatehouse default certificate"), "two labels are not covered: got \(twoLabels)")
        let bare = try await SClient.certificate(port: port, serverName: "wild.example.test")
        #expect(bare.subject.contains("Gatehouse default certificate"), "the wildcard does not cover its parent: got \(bare)")

        let stringData = try await SClient.certificate(port: port, serverName: "string.example.test")
        #expect(stringData.fingerprint == setup.stringData.fingerprint, "stringData Secret with a SEC 1 EC key: got \(stringData)")
        let kubectl = try await SClient.certificate(port: port, serverName: "kubectl.example.test")
        #expect(kubectl.fingerprint == setup.kubectl.fingerprint, "kubectl's Secret YAML with a PKCS#1 RSA key: got \(kubectl)")

        let unknown = try await SClient.certificate(port: port, serverName: "unknown.example.test")
        #expect(unknown.subject.contains("Gatehouse default certificate"), "unknown name: got \(unknown)")
        let noSNI = try await SClient.certificate(port: port, serverName: nil)
        #expect(noSNI.fingerprint == unknown.fingerprint, "no SNI gets the same default certificate: got \(noSNI)")

        for host in ["missing", "malformed", "other", "expired", "uncovered"] {
            let presented = try await SClient.certificate(port: port, serverName: "\(host).example.test")
            #expect(presented.fingerprint == unknown.fingerprint, "\(host).example.test has an unusable Secret: got \(presented)")
        }
        #expect(gatehouse.process.isRunning)
    }

    @Test("lint names each unusable Secret on its Ingress")
    func lintReportsUnusableSecrets() async throws {
        let setup = try await Setup.make()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let lint = try await Tool.run(GatehouseProcess.binary.path, ["lint", "--manifests", setup.manifests.path])
        #expect(lint.status == 1, "lint exits 1 on errors: \(lint.output)")
        let lines = lint.output.split(separator: "\n").map(String.init)
        func line(_ ingress: String, _ fragment: String) -> Bool {
            lines.contains { $0.hasPrefix("default/\(ingress): spec.tls[0]") && $0.contains(fragment) }
        }
        #expect(line("missing", "Secret \"no-such-secret\" not found"), "\(lines)")
        #expect(line("malformed", "tls.crt"), "\(lines)")
        #expect(line("mismatched", "does not match"), "\(lines)")
        #expect(line("expired", "expired"), "\(lines)")
        #expect(line("uncovered", "does not cover \"uncovered.example.test\""), "\(lines)")
        for good in ["exact", "wild", "string", "kubectl"] {
            #expect(!lines.contains { $0.hasPrefix("default/\(good):") && $0.contains("tls") }, "\(good) is fine: \(lines)")
        }
    }

    @Test("--default-ssl-certificate replaces the generated default for unknown names and no SNI")
    func configuredDefault() async throws {
        let setup = try await Setup.make()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let gatehouse = try await RunningGatehouse.start(manifests: setup.manifests, ["--default-ssl-certificate", "default/fallback-tls"])
        defer { gatehouse.stop() }
        let port = gatehouse.httpsPort
        let unknown = try await SClient.certificate(port: port, serverName: "unknown.example.test")
        #expect(unknown.fingerprint == setup.fallback.fingerprint, "unknown name: got \(unknown)")
        let noSNI = try await SClient.certificate(port: port, serverName: nil)
        #expect(noSNI.fingerprint == setup.fallback.fingerprint, "no SNI: got \(noSNI)")
        let expired = try await SClient.certificate(port: port, serverName: "expired.example.test")
        #expect(expired.fingerprint == setup.fallback.fingerprint, "an unusable Secret's host: got \(expired)")
        let exact = try await SClient.certificate(port: port, serverName: "exact.example.test")
        #expect(exact.fingerprint == setup.exact.fingerprint, "exact names keep their own: got \(exact)")
    }
}
