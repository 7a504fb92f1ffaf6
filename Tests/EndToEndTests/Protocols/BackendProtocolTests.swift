import Foundation
import Testing

/// `backend-protocol: "HTTPS"` on the real binary: requests reach a TLS backend (a python HTTPS server with a
/// self-signed certificate, not verified, as ingress-nginx does by default), over keep-alive connections.
struct BackendProtocolTests {
    @Test("backend-protocol HTTPS proxies to a TLS backend with a self-signed certificate")
    func httpsBackend() async throws {
        let directory = try scratchDirectory("https-backend")
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifests = directory.appendingPathComponent("manifests", isDirectory: true)
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        let podCertificate = try await TestCertificate.make(
            in: directory, stem: "pod", commonName: "pod.internal", dnsNames: ["pod.internal"], key: .rsa)
        let backend = try ChildProcess(
            ProtocolFixtures.python,
            [
                ProtocolFixtures.path("https_backend.py"), "--cert", podCertificate.certificateFile.path, "--key",
                podCertificate.keyFile.path,
            ]
        )
        defer { backend.stop() }
        let backendPort = Int(try await backend.line(startingWith: "port ")) ?? 0
        try Data(
            Manifests.join([
                Manifests.backend("secure", port: backendPort),
                Manifests.ingress("secure", host: "secure.example.test", service: "secure", annotations: ["backend-protocol": "HTTPS"]),
                Manifests.backend("plain-to-tls", port: backendPort),
                Manifests.ingress("plain-to-tls", host: "wrong.example.test", service: "plain-to-tls"),
            ]).utf8
        ).write(to: manifests.appendingPathComponent("secure.yaml"))
        let gatehouse = try await RunningGatehouse.start(manifests: manifests)
        defer { gatehouse.stop() }

        let url = "http://127.0.0.1:\(gatehouse.httpPort)"
        let result = try await Tool.run(
            "curl",
            ["-sS", "--max-time", "30", "-H", "Host: secure.example.test", "-w", "\n%{http_code}\n", "\(url)/first?a=1", "\(url)/second"])
        #expect(result.status == 0, "\(result.errors)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && lines[1] == "200" && lines[3] == "200", "\(result.output)")
        for (index, path) in [(0, "/first?a=1"), (2, "/second")] where lines.count == 4 {
            let object = try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any]
            #expect(object?["path"] as? String == path)
            #expect(object?["host"] as? String == "secure.example.test")
            #expect((object?["tls"] as? String)?.hasPrefix("TLSv1.") == true, "the backend saw TLS: \(lines[index])")
            #expect(object?["forwardedProto"] as? String == "http")
        }
        // The same backend spoken to in plain HTTP fails as a bad gateway, not as a hang.
        let wrong = try await Tool.run(
            "curl", ["-s", "--max-time", "30", "-o", "/dev/null", "-H", "Host: wrong.example.test", "-w", "%{http_code}", "\(url)/"])
        #expect(wrong.output == "502", "\(wrong.output)")
        #expect(gatehouse.process.isRunning)
    }
}
