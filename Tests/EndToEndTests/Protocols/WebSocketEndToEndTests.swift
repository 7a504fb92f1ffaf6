import Foundation
import Testing

/// WebSocket through the real binary with python `websockets` on both ends (an echo server as the backend, the
/// sync client through the proxy): text and binary messages, a 5 MiB message, the close handshake, over plain
/// HTTP and over TLS, and a connection that stays open across a configuration change.
@Suite(.serialized)
struct WebSocketEndToEndTests {
    /// A running python WebSocket echo backend and gatehouse routing `ws.example.test` (also on TLS) to it.
    final class Setup: @unchecked Sendable {
        // Safety: immutable after init.
        let backend: ChildProcess
        let backendPort: Int
        let gatehouse: RunningGatehouse
        let directory: URL

        init() async throws {
            directory = try scratchDirectory("websocket")
            let manifests = directory.appendingPathComponent("manifests", isDirectory: true)
            try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
            backend = try ChildProcess(ProtocolFixtures.python, [ProtocolFixtures.path("ws_echo_server.py")])
            backendPort = Int(try await backend.line(startingWith: "port ")) ?? 0
            let certificate = try await TestCertificate.make(
                in: directory, stem: "ws", commonName: "ws.example.test", dnsNames: ["ws.example.test"])
            try Data(
                Manifests.join([
                    Manifests.backend("ws", port: backendPort),
                    Manifests.ingress(
                        "ws", host: "ws.example.test", service: "ws", tls: [(["ws.example.test"], "ws-tls")],
                        annotations: ["ssl-redirect": "false"]),
                    Manifests.tlsSecret("ws-tls", certificate: certificate),
                    Manifests.ingress("ws-idle", host: "ws-idle.example.test", service: "ws", annotations: ["proxy-read-timeout": "1"]),
                ]).utf8
            ).write(to: manifests.appendingPathComponent("ws.yaml"))
            gatehouse = try await RunningGatehouse.start(manifests: manifests)
        }

        /// Starts the python client on `url` through port `port`.
        func client(url: String, port: Int, pause: Bool = false, extra: [String] = []) throws -> ChildProcess {
            try ChildProcess(
                ProtocolFixtures.python,
                [ProtocolFixtures.path("ws_client.py"), "--url", url, "--port", String(port)] + (pause ? ["--pause"] : []) + extra
            )
        }

        func stop() {
            gatehouse.stop()
            backend.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test("text, binary and a 5 MiB message round trip, then a clean close handshake, over ws:// and wss://")
    func roundTrip() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        for (url, port) in [
            ("ws://ws.example.test/echo", setup.gatehouse.httpPort), ("wss://ws.example.test/echo", setup.gatehouse.httpsPort),
        ] {
            let client = try setup.client(url: url, port: port)
            let status = try await client.waitForExit(timeout: .seconds(120))
            #expect(status == 0, "\(url): \(client.output) \(client.errors.suffix(2000))")
            #expect(client.lines(startingWith: "ok ") == ["text", "binary", "large"], "\(url): \(client.output)")
            #expect(client.lines(startingWith: "close ") == ["1000"], "\(url): the close handshake completes: \(client.output)")
        }
        #expect(setup.gatehouse.process.isRunning)
    }

    @Test("a WebSocket stays open across a configuration change and keeps exchanging messages")
    func survivesReload() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let client = try setup.client(url: "ws://ws.example.test/echo", port: setup.gatehouse.httpPort, pause: true)
        defer { client.stop() }
        _ = try await client.line(startingWith: "paused", timeout: .seconds(60))
        // Change the configuration under the open connection: another Ingress, and the WebSocket's own Ingress edited.
        try await setup.gatehouse.rewrite("other.yaml", Manifests.ingress("other", host: "other.example.test", service: "ws"))
        let file = setup.gatehouse.manifests.appendingPathComponent("ws.yaml")
        let edited = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "path: /", with: "path: /echo")
        try await setup.gatehouse.rewrite("ws.yaml", edited)
        try client.send("go")
        let status = try await client.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(client.output) \(client.errors.suffix(2000))")
        #expect(client.lines(startingWith: "ok ") == ["text", "binary", "large", "after"])
        #expect(client.lines(startingWith: "close ") == ["1000"])
    }

    @Test("an idle WebSocket is closed after proxy-read-timeout, as in ingress-nginx")
    func idleTimeout() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let client = try setup.client(url: "ws://ws-idle.example.test/echo", port: setup.gatehouse.httpPort, extra: ["--idle-close", "15"])
        defer { client.stop() }
        let status = try await client.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(client.output) \(client.errors.suffix(2000))")
        let idle = client.lines(startingWith: "idle-closed ").first.flatMap(Double.init)
        #expect(idle != nil && idle! >= 0.9 && idle! < 10, "closed after \(idle ?? -1) s of silence (timeout 1 s): \(client.output)")
    }
}
