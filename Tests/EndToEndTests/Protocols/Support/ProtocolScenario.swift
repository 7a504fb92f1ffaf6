import Foundation

/// A running gatehouse in front of one echo backend, with one TLS host (`api.example.test`, an ECDSA certificate
/// the test made) and the plain host `plain.example.test`: the common setup of the protocol tests.
final class EchoScenario: @unchecked Sendable {
    // Safety: immutable after `start`.

    /// The proxy.
    let gatehouse: RunningGatehouse
    /// The backend.
    let echo: EchoBackend
    /// The certificate of `api.example.test`.
    let certificate: TestCertificate
    /// The scratch directory (certificate files, manifests).
    let directory: URL

    /// The TLS host.
    static let host = "api.example.test"

    private init(gatehouse: RunningGatehouse, echo: EchoBackend, certificate: TestCertificate, directory: URL) {
        self.gatehouse = gatehouse
        self.echo = echo
        self.certificate = certificate
        self.directory = directory
    }

    /// Starts the echo backend and gatehouse; `extra` adds manifest documents.
    static func start(annotations: [String: String] = [:], extra: [String] = []) async throws -> EchoScenario {
        let directory = try scratchDirectory("scenario")
        let manifests = directory.appendingPathComponent("manifests", isDirectory: true)
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        let certificate = try await TestCertificate.make(in: directory, stem: "api", commonName: host, dnsNames: [host])
        let echo = try await EchoBackend.start(name: "api-pod")
        let documents =
            [
                Manifests.backend("api", port: echo.port),
                Manifests.ingress("api", host: host, service: "api", tls: [([host], "api-tls")], annotations: annotations),
                Manifests.tlsSecret("api-tls", certificate: certificate),
                Manifests.ingress("plain", host: "plain.example.test", service: "api"),
            ] + extra
        try Data(Manifests.join(documents).utf8).write(to: manifests.appendingPathComponent("api.yaml"))
        let gatehouse = try await RunningGatehouse.start(manifests: manifests)
        return EchoScenario(gatehouse: gatehouse, echo: echo, certificate: certificate, directory: directory)
    }

    /// curl options that reach `host` on the HTTPS port of 127.0.0.1 and trust the test's certificate.
    func tlsOptions(host: String = EchoScenario.host) -> [String] {
        ["--resolve", "\(host):\(gatehouse.httpsPort):127.0.0.1", "--cacert", certificate.certificateFile.path]
    }

    /// The HTTPS URL of `path` on `host`.
    func httpsURL(_ path: String, host: String = EchoScenario.host) -> String { "https://\(host):\(gatehouse.httpsPort)\(path)" }

    /// Runs curl with `arguments`; returns the body, then `--write-out` text after a final newline.
    func curl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ToolResult {
        try await Tool.run("curl", ["-sS", "--max-time", "50"] + arguments, timeout: timeout)
    }

    /// Stops everything and removes the scratch directory.
    func stop() {
        gatehouse.stop()
        echo.process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The JSON an echo backend answers with, parsed.
struct EchoAnswer {
    /// The decoded object.
    let object: [String: Any]

    /// Parses `text` (throws when it is not an echo report).
    init(_ text: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ToolFailed(command: "echo report", status: 0, errors: text)
        }
        self.object = object
    }

    /// A request header as the backend received it (lowercased name).
    func header(_ name: String) -> String? { (object["headers"] as? [String: Any])?[name] as? String }

    /// A string field of the report.
    subscript(_ key: String) -> String? { object[key] as? String }

    /// The number of body bytes the backend received.
    var bodyBytes: Int { object["bodyBytes"] as? Int ?? -1 }
}
