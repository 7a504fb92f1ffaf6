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

    @Test("TLS clients that stall before reading a response that ends the connection get all of it, then close_notify")
    func stalledReadersGetTheWholeResponse() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        // Sizes around what the proxy's socket buffer holds here (about 2.97 MB: the kernel grows it to 4 MiB on
        // loopback), with the client's receive buffer small: for many of them the proxy has read the whole
        // response from the echo while part of it still waits to be written, and the client reads nothing for 8 s.
        // The output must shut (and the 2 s linger start) only once that part is written; a linger started at once
        // closes the connection after it and the TLS handler's 5 s shutdown timeout, and the response is cut.
        let sizes = (0..<26).map { 2_600_000 + $0 * 32_768 }
        let client = try ChildProcess(
            ProtocolFixtures.python,
            [
                ProtocolFixtures.path("tls_stalled_reader.py"), "--port", String(scenario.gatehouse.httpsPort), "--host",
                EchoScenario.host, "--sizes", sizes.map(String.init).joined(separator: ","), "--stall-ms", "8000",
            ]
        )
        defer { client.stop() }
        #expect(try await client.waitForExit(timeout: .seconds(60)) == 0, "\(client.errors)")
        let results = client.lines(startingWith: "size ")
        #expect(results.count == sizes.count, "\(client.output)")
        for (size, result) in zip(sizes, results) {
            #expect(result == "\(size) body \(size) intact yes close_notify yes")
        }
    }
}
