import Foundation
import Testing

/// Bad input on the HTTPS port of the real binary: garbage, a plain HTTP request, a truncated ClientHello, an
/// oversized SNI name. Each connection is closed by the server, and everyone else keeps being served.
struct TLSBadInputTests {
    /// A request that must still work after each bad connection.
    static func healthy(_ scenario: EchoScenario, after what: String) async throws {
        let result = try await scenario.curl(scenario.tlsOptions() + ["-o", "/dev/null", "-w", "%{http_code}", scenario.httpsURL("/ok")])
        #expect(result.output == "200", "a normal request after \(what): \(result.output) \(result.errors)")
        #expect(scenario.gatehouse.process.isRunning, "the process is alive after \(what)")
    }

    @Test("garbage, plain HTTP, a truncated ClientHello and oversized SNI names are closed; others keep being served")
    func badInput() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let port = scenario.gatehouse.httpsPort

        var garbage = [UInt8](repeating: 0, count: 4096)
        for index in garbage.indices { garbage[index] = UInt8(truncatingIfNeeded: index &* 131 &+ 17) }
        let cases: [(name: String, bytes: [UInt8], halfClose: Bool)] = [
            ("garbage bytes", garbage, false),
            ("a plain HTTP request", Array("GET / HTTP/1.1\r\nHost: \(EchoScenario.host)\r\n\r\n".utf8), false),
            ("a truncated ClientHello", Array(ClientHello.bytes(serverName: EchoScenario.host).prefix(60)), true),
            ("an SNI name of 1000 bytes", ClientHello.bytes(serverName: String(repeating: "a", count: 1000) + ".example.test"), false),
            ("an SNI name of 40000 bytes over several records", ClientHello.bytes(serverName: String(repeating: "b", count: 40000)), false),
        ]
        for (name, bytes, halfClose) in cases {
            let connection = try RawConnection(port: port)
            connection.send(bytes)
            if halfClose { connection.finishSending() }
            let (received, ending) = await connection.readToEnd(timeout: .seconds(10))
            #expect(ending != .stillOpen, "\(name): the server closes the connection")
            #expect(!String(decoding: received, as: UTF8.self).contains("HTTP/1.1 200"), "\(name) is not answered")
            if let first = received.first { #expect(first == 0x15, "\(name): at most a TLS alert comes back, got \(received.prefix(8))") }
            try await Self.healthy(scenario, after: name)
        }

        // A well-formed ClientHello still completes (the handcrafted bytes are not broken in themselves).
        let good = try RawConnection(port: port)
        good.send(ClientHello.bytes(serverName: EchoScenario.host))
        let (reply, _) = await good.readToEnd(timeout: .milliseconds(1500))
        #expect(reply.first == 0x16, "a ServerHello answers the well-formed hello: \(reply.prefix(8))")
    }

    @Test("a client stuck in the middle of a handshake does not hold up anyone else")
    func stalledHandshake() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        var stalled: [RawConnection] = []
        for _ in 0..<20 {
            let connection = try RawConnection(port: scenario.gatehouse.httpsPort)
            connection.send(Array(ClientHello.bytes(serverName: EchoScenario.host).prefix(40)))
            stalled.append(connection)
        }
        for index in 0..<5 { try await Self.healthy(scenario, after: "\(stalled.count) stalled handshakes (\(index))") }
        let h2 = try await scenario.curl(
            scenario.tlsOptions() + ["--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", scenario.httpsURL("/")])
        #expect(h2.output == "200 2")
    }
}
