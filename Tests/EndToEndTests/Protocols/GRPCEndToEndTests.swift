import Foundation
import Testing

/// gRPC through the real binary with python `grpcio` on both ends (echo.proto's service as the backend, the
/// generated stub as the client): unary and bidirectional streaming calls, a failing call's status, message and
/// trailing metadata arriving intact, and a server stream longer than `proxy-read-timeout` with messages flowing;
/// clients over h2c and over TLS, backends over h2c (`backend-protocol: "GRPC"`) and TLS (`"GRPCS"`).
@Suite(.serialized)
struct GRPCEndToEndTests {
    /// A scratch directory named after `name` with `stubs/` (the generated Python stubs) and `manifests/` in it.
    static func prepare(_ name: String) async throws -> (directory: URL, stubs: URL, manifests: URL) {
        let directory = try scratchDirectory(name)
        let stubs = directory.appendingPathComponent("stubs", isDirectory: true)
        let manifests = directory.appendingPathComponent("manifests", isDirectory: true)
        try FileManager.default.createDirectory(at: stubs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try await generateStubs(into: stubs)
        return (directory, stubs, manifests)
    }

    /// Generates the Python stubs of echo.proto into `directory` with grpcio-tools.
    static func generateStubs(into directory: URL) async throws {
        try await Tool.check(
            ProtocolFixtures.python,
            [
                "-m", "grpc_tools.protoc", "-I", ProtocolFixtures.path(""), "--python_out=\(directory.path)",
                "--grpc_python_out=\(directory.path)", ProtocolFixtures.path("echo.proto"),
            ]
        )
    }

    /// Runs the full client scenario against `target` and checks every step passed.
    static func runClient(stubs: URL, target: String, authority: String, ca: URL?, ticks: Int, intervalMilliseconds: Int) async throws
        -> ToolResult
    {
        try await Tool.run(
            ProtocolFixtures.python,
            [
                ProtocolFixtures.path("grpc_client.py"), "--stubs", stubs.path, "--target", target, "--authority", authority,
                "--ticks", String(ticks), "--interval-ms", String(intervalMilliseconds),
            ] + (ca.map { ["--tls", $0.path] } ?? []),
            timeout: .seconds(120)
        )
    }

    @Test(
        "unary, failing and bidirectional calls, and a stream outlasting proxy-read-timeout",
        arguments: ["GRPC", "GRPCS"]
    )
    func calls(backendProtocol: String) async throws {
        let (directory, stubs, manifests) = try await Self.prepare("grpc")
        defer { try? FileManager.default.removeItem(at: directory) }

        let host = "grpc.example.test"
        let frontCertificate = try await TestCertificate.make(in: directory, stem: "front", commonName: host, dnsNames: [host])
        var serverArguments = [ProtocolFixtures.path("grpc_server.py"), "--stubs", stubs.path]
        if backendProtocol == "GRPCS" {
            let backendCertificate = try await TestCertificate.make(
                in: directory, stem: "pod", commonName: "pod.internal", dnsNames: ["pod.internal"])
            serverArguments += ["--tls", backendCertificate.certificateFile.path, backendCertificate.keyFile.path]
        }
        let backend = try ChildProcess(ProtocolFixtures.python, serverArguments)
        defer { backend.stop() }
        let backendPort = Int(try await backend.line(startingWith: "port ")) ?? 0
        try Data(
            Manifests.join([
                Manifests.backend("grpc", port: backendPort),
                Manifests.ingress(
                    "grpc", host: host, service: "grpc", tls: [([host], "grpc-tls")],
                    annotations: ["backend-protocol": backendProtocol, "proxy-read-timeout": "2", "ssl-redirect": "false"]),
                Manifests.tlsSecret("grpc-tls", certificate: frontCertificate),
            ]).utf8
        ).write(to: manifests.appendingPathComponent("grpc.yaml"))
        let gatehouse = try await RunningGatehouse.start(manifests: manifests)
        defer { gatehouse.stop() }

        // A stream of 8 ticks 500 ms apart lasts 3.5 s, longer than the 2 s read timeout, with messages flowing.
        let overH2C = try await Self.runClient(
            stubs: stubs, target: "127.0.0.1:\(gatehouse.httpPort)", authority: host, ca: nil, ticks: 8, intervalMilliseconds: 500)
        #expect(overH2C.status == 0, "h2c client → \(backendProtocol): \(overH2C.output) \(overH2C.errors.suffix(3000))")
        #expect(
            overH2C.output.split(separator: "\n").filter { $0.hasPrefix("ok ") } == ["ok unary", "ok status", "ok chat", "ok ticks"],
            "\(overH2C.output)")
        let seconds = overH2C.output.split(separator: "\n").first { $0.hasPrefix("ticks-seconds ") }.flatMap {
            Double($0.split(separator: " ")[1])
        }
        #expect((seconds ?? 0) > 3, "the stream really outlasted the read timeout: \(seconds ?? 0) s")

        let overTLS = try await Self.runClient(
            stubs: stubs, target: "127.0.0.1:\(gatehouse.httpsPort)", authority: host, ca: frontCertificate.certificateFile, ticks: 3,
            intervalMilliseconds: 50)
        #expect(overTLS.status == 0, "TLS client → \(backendProtocol): \(overTLS.output) \(overTLS.errors.suffix(3000))")
        #expect(overTLS.output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 4, "\(overTLS.output)")
        #expect(gatehouse.process.isRunning)
    }

    @Test("a backend that stays silent longer than proxy-read-timeout is cut off with a gRPC error, not a hang")
    func silentBackendTimesOut() async throws {
        let (directory, stubs, manifests) = try await Self.prepare("grpc-timeout")
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try ChildProcess(ProtocolFixtures.python, [ProtocolFixtures.path("grpc_server.py"), "--stubs", stubs.path])
        defer { backend.stop() }
        let backendPort = Int(try await backend.line(startingWith: "port ")) ?? 0
        try Data(
            Manifests.join([
                Manifests.backend("grpc", port: backendPort),
                Manifests.ingress(
                    "grpc", host: "grpc.example.test", service: "grpc",
                    annotations: ["backend-protocol": "GRPC", "proxy-read-timeout": "1"]),
            ]).utf8
        ).write(to: manifests.appendingPathComponent("grpc.yaml"))
        let gatehouse = try await RunningGatehouse.start(manifests: manifests)
        defer { gatehouse.stop() }
        // Two ticks 3 s apart: the backend is silent for 3 s, three times the read timeout.
        let result = try await Self.runClient(
            stubs: stubs, target: "127.0.0.1:\(gatehouse.httpPort)", authority: "grpc.example.test", ca: nil, ticks: 2,
            intervalMilliseconds: 3000)
        #expect(result.status != 0)
        #expect(result.output.contains("ok chat"), "the quick calls pass: \(result.output)")
        #expect(
            result.output.contains("fail ticks") || result.errors.contains("StatusCode"), "\(result.output) \(result.errors.suffix(2000))")
        #expect(gatehouse.process.isRunning)
    }
}
