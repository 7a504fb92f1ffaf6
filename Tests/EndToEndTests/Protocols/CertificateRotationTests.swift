import Foundation
import Testing

/// Secret rotation on the real binary: rewriting a Secret's file makes new handshakes present the new certificate
/// (without a restart), while a keep-alive TLS connection opened before keeps working.
struct CertificateRotationTests {
    @Test("a rotated Secret serves new handshakes; an open keep-alive connection survives the rotation")
    func rotation() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let port = scenario.gatehouse.httpsPort
        let host = EchoScenario.host
        let before = try await SClient.certificate(port: port, serverName: host)
        #expect(before.fingerprint == scenario.certificate.fingerprint)

        let client = try ChildProcess(
            ProtocolFixtures.python,
            [ProtocolFixtures.path("tls_keepalive_client.py"), "--port", String(port), "--host", host, "--path", "/before"]
        )
        defer { client.stop() }
        _ = try await client.line(startingWith: "paused")
        #expect(client.lines(startingWith: "cert ") == [scenario.certificate.fingerprint])
        #expect(client.lines(startingWith: "status ") == ["200"])

        let renewed = try await TestCertificate.make(in: scenario.directory, stem: "renewed", commonName: host, dnsNames: [host], key: .rsa)
        #expect(renewed.fingerprint != scenario.certificate.fingerprint)
        let clock = ContinuousClock()
        // The Secret named by the Ingress is rewritten in place (the same name, new content).
        let original = try String(contentsOf: scenario.gatehouse.manifests.appendingPathComponent("api.yaml"), encoding: .utf8)
        let rotated = original.replacingOccurrences(
            of: Manifests.tlsSecret("api-tls", certificate: scenario.certificate),
            with: Manifests.tlsSecret("api-tls", certificate: renewed)
        )
        #expect(rotated != original)
        let rotatedAt = clock.now
        try scenario.gatehouse.write("api.yaml", rotated)
        var latest = before
        try await waitFor("new handshakes to present the renewed certificate", timeout: .seconds(10), interval: .milliseconds(100)) {
            latest = try await SClient.certificate(port: port, serverName: host)
            return latest.fingerprint == renewed.fingerprint
        }
        let took = clock.now - rotatedAt
        print("certificate rotation visible to new handshakes after \(took)")

        // The connection opened before the rotation still serves requests.
        try client.send("go")
        let status = try await client.waitForExit()
        #expect(status == 0, "keep-alive connection after rotation: \(client.output) \(client.errors)")
        #expect(client.lines(startingWith: "status ") == ["200", "200"])
        #expect(scenario.gatehouse.process.isRunning)
    }
}
