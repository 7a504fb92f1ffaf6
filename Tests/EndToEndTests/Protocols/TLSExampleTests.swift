import Foundation
import Testing

/// The README's HTTPS walk-through, as a user runs it: `examples/tls/make-certificate.sh` (in a copy of the example,
/// so the work tree is left alone), `gatehouse serve --manifests examples/tls --demo-backends`, then the README's
/// `curl --resolve … https://api.example.com:8443/…` line and its redirect line, pointed at the ports in use.
struct TLSExampleTests {
    /// The README line starting with `prefix` (trimmed), or nil.
    static func readmeLine(startingWith prefix: String) throws -> String? {
        let readme = try String(contentsOf: GatehouseProcess.repository.appendingPathComponent("README.md"), encoding: .utf8)
        return readme.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(prefix) }
    }

    @Test("make-certificate.sh, serve examples/tls, and the README's curl --resolve line answers from api-service over HTTPS")
    func readmeHTTPSExample() async throws {
        let directory = try scratchDirectory("tls-example")
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = directory.appendingPathComponent("tls", isDirectory: true)
        try FileManager.default.createDirectory(at: example, withIntermediateDirectories: true)
        let source = GatehouseProcess.repository.appendingPathComponent("examples/tls")
        for name in ["tls-ingress.yaml", "api-service.yaml", "make-certificate.sh"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: example.appendingPathComponent(name))
        }
        let made = try await Tool.run("bash", [example.appendingPathComponent("make-certificate.sh").path])
        #expect(made.status == 0, "\(made.output) \(made.errors)")
        let secret = try String(contentsOf: example.appendingPathComponent("api-tls-secret.yaml"), encoding: .utf8)
        #expect(secret.contains("type: kubernetes.io/tls") && secret.contains("name: api-tls-secret"))
        let certificate = try String(contentsOf: example.appendingPathComponent("api.example.com.crt"), encoding: .utf8)

        let lint = try await Tool.run(GatehouseProcess.binary.path, ["lint", "--manifests", example.path])
        #expect(lint.status == 0, "the example has no issues: \(lint.output)")

        let gatehouse = try await RunningGatehouse.start(manifests: example, ["--demo-backends"])
        defer { gatehouse.stop() }
        let presented = try await SClient.certificate(port: gatehouse.httpsPort, serverName: "api.example.com")
        #expect(presented.fingerprint == (try await TestCertificate.fingerprint(ofPEM: certificate)))

        let line = try #require(try Self.readmeLine(startingWith: "curl --resolve api.example.com:8443:127.0.0.1"))
        #expect(line.contains("--cacert examples/tls/api.example.com.crt") && line.contains("https://api.example.com:8443/"))
        let arguments = line.split(separator: " ").dropFirst().map { word in
            word.replacingOccurrences(of: "8443", with: String(gatehouse.httpsPort))
                .replacingOccurrences(of: "examples/tls/", with: example.path + "/")
        }
        let result = try await Tool.run("curl", ["-sS", "--max-time", "30"] + arguments)
        #expect(result.status == 0, "\(line): \(result.errors)")
        let answer = try EchoAnswer(result.output)
        #expect(answer["name"] == "api-service-7f9c6d5b8-k3j7q")
        #expect(answer.header("x-forwarded-proto") == "https")
        #expect(answer["target"] == "/users")

        // The redirect line of the README.
        let redirect = try await Tool.run(
            "curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--resolve",
                "api.example.com:\(gatehouse.httpPort):127.0.0.1",
                "http://api.example.com:\(gatehouse.httpPort)/users",
            ]
        )
        #expect(redirect.output == "308 https://api.example.com:\(gatehouse.httpsPort)/users")
    }
}
