import Foundation
import Testing

/// How a TLS connection ends when the client asked to close: the proxy shuts its output (close_notify) after the
/// response, and the client dropping the connection ends it at once.
struct TLSCloseTests {
    @Test("TLS clients that ask to close and then drop the connection without close_notify are not held open")
    func droppedWithoutCloseNotify() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let gatehouse = scenario.gatehouse
        let before = try await gatehouse.metric("gatehouse_connections_active") ?? -1
        let client = try ChildProcess(
            ProtocolFixtures.python,
            [ProtocolFixtures.path("tls_close_client.py"), "--port", String(gatehouse.httpsPort), "--host", EchoScenario.host]
        )
        defer { client.stop() }
        #expect(try await client.waitForExit(timeout: .seconds(60)) == 0, "\(client.errors)")
        #expect(client.lines(startingWith: "status ") == ["200", "200", "200"], "\(client.output)")
        // Well before the TLS handler's 5 s shutdown timeout, which a close waiting for the client's close_notify
        // would run into.
        try await waitFor("the dropped TLS connections to close", timeout: .seconds(3), interval: .milliseconds(20)) {
            try await gatehouse.metric("gatehouse_connections_active") ?? -1 <= before
        }
    }
}
