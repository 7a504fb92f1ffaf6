import Foundation
import Testing

/// Graceful shutdown with HTTP/2 on the real binary: on SIGTERM the client gets GOAWAY, the request in flight on
/// the HTTP/2 connection still completes, and the process exits cleanly (without scheduling on a stopped loop).
struct HTTP2DrainTests {
    @Test("SIGTERM sends GOAWAY; the long HTTP/2 request in flight completes; the process exits 0")
    func drainHTTP2() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let gatehouse = scenario.gatehouse
        let connectsBefore = try await gatehouse.metric("gatehouse_upstream_connects_total") ?? -1
        let client = try ChildProcess(
            "nghttp",
            [
                "-v", "-H", ":authority: \(EchoScenario.host)", "-H", "x-echo-delay-ms: 2500",
                "https://127.0.0.1:\(gatehouse.httpsPort)/slow",
            ]
        )
        defer { client.stop() }
        // The request reached the backend (the proxy opened an upstream connection for it).
        try await waitFor("the slow request to reach the backend", timeout: .seconds(30)) {
            try await gatehouse.metric("gatehouse_upstream_connects_total") ?? -1 > connectsBefore
        }
        gatehouse.process.terminate()
        let clientStatus = try await client.waitForExit(timeout: .seconds(30))
        #expect(clientStatus == 0, "\(client.output.suffix(3000)) \(client.errors)")
        #expect(client.output.contains("recv GOAWAY frame"), "the client was told to go away: \(client.output.suffix(3000))")
        #expect(client.output.contains(":status: 200"), "the request in flight completed: \(client.output.suffix(3000))")
        let serverStatus = try await gatehouse.process.waitForExit(timeout: .seconds(30))
        #expect(serverStatus == 0, "\(gatehouse.log.suffix(3000))")
        #expect(!gatehouse.log.contains("Cannot schedule tasks"), "\(gatehouse.log.suffix(3000))")
        #expect(!gatehouse.log.lowercased().contains("error"), "\(gatehouse.log.suffix(3000))")
    }

    @Test("SIGTERM with idle HTTP/1.1, pooled upstream and half-open TLS connections: a prompt exit 0, nothing scheduled late")
    func cleanExit() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        // Leave idle client connections (HTTP/1.1 keep-alive) and pooled upstream connections behind.
        let idleHTTP1 = try RawConnection(port: scenario.gatehouse.httpPort)
        idleHTTP1.send(Array("GET / HTTP/1.1\r\nHost: plain.example.test\r\n\r\n".utf8))
        let h2 = try await scenario.curl(
            scenario.tlsOptions() + ["--http2", "-o", "/dev/null", "-w", "%{http_code}", scenario.httpsURL("/")])
        #expect(h2.output == "200")
        // An idle HTTP/2 connection (h2c prior knowledge, no stream yet): told to go away, then closed.
        let idleHTTP2 = try RawConnection(port: scenario.gatehouse.httpPort)
        idleHTTP2.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0])
        let settings = await idleHTTP2.readSome(timeout: .seconds(10))
        #expect(settings.count >= 9 && settings[3] == 4, "the server's SETTINGS frame: \(settings.prefix(9))")
        // Connections to the HTTPS port that never finish (or never start) their handshake must not hold up the drain.
        // The stalled one got its ServerHello, so the server has surely accepted it and is waiting mid-handshake.
        let silent = try RawConnection(port: scenario.gatehouse.httpsPort)
        let stalled = try RawConnection(port: scenario.gatehouse.httpsPort)
        stalled.send(ClientHello.bytes(serverName: EchoScenario.host))
        let serverHello = await stalled.readSome(timeout: .seconds(10))
        #expect(serverHello.first == 0x16, "the server answered the ClientHello: \(serverHello.prefix(8))")
        let clock = ContinuousClock()
        let stoppedAt = clock.now
        scenario.gatehouse.process.terminate()
        let status = try await scenario.gatehouse.process.waitForExit(timeout: .seconds(60))
        let took = clock.now - stoppedAt
        #expect(took < .seconds(10), "the drain (30 s at most) was not held up by half-open handshakes: \(took)")
        #expect(status == 0, "\(scenario.gatehouse.log.suffix(3000))")
        for connection in [silent, stalled] {
            let (_, ending) = await connection.readToEnd(timeout: .seconds(2))
            #expect(ending != .stillOpen)
        }
        #expect(!scenario.gatehouse.log.contains("Cannot schedule tasks"), "\(scenario.gatehouse.log.suffix(3000))")
        let (_, ending) = await idleHTTP1.readToEnd(timeout: .seconds(5))
        #expect(ending != .stillOpen)
        // GOAWAY: length 8, type 7, no flags, stream 0; last stream 0 (none was opened), NO_ERROR.
        let (received, http2Ending) = await idleHTTP2.readToEnd(timeout: .seconds(5))
        let goAway: [UInt8] = [0, 0, 8, 7, 0, 0, 0, 0, 0] + [0, 0, 0, 0] + [0, 0, 0, 0]
        #expect(
            received.count >= goAway.count
                && (0...(received.count - goAway.count)).contains { Array(received[$0..<$0 + goAway.count]) == goAway },
            "\(received)")
        #expect(http2Ending != .stillOpen)
    }
}
