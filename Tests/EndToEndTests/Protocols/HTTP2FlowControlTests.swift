import Foundation
import Testing

/// HTTP/2 flow control through the real binary, driven by python `h2` (`h2_slow_stream_client.py`): on one
/// connection, a stream whose window the client never hands back stalls alone, while small requests on other
/// streams of the same connection complete; the proxy stops reading that stream's backend (its bytes wait in the
/// kernel, not in the proxy's memory); once the window opens the large body arrives whole. And a connection the
/// client closes (FIN, with or without GOAWAY) is closed at once, freeing the stalled stream's backend connection.
/// Over h2c (prior knowledge on the HTTP port) and over TLS (ALPN `h2`).
@Suite(.serialized)
struct HTTP2FlowControlTests {
    /// How the client reaches the proxy.
    enum Transport: String, CaseIterable, CustomTestStringConvertible {
        case h2c, tls
        var testDescription: String { rawValue }
    }

    /// The size of stream A's body: far more than the 65,535-byte window it may receive while stalled.
    static let largeBytes = 8 * 1024 * 1024
    /// How much the proxy's resident memory may grow while stream A is stalled: half of A's body. A proxy that went on
    /// reading the backend would hold nearly all of it (nothing but the stalled stream's window leaves).
    static let memoryAllowance = 4 * 1024 * 1024

    /// A running scenario and the python client on one HTTP/2 connection to it, stopped at its `paused` line: stream A
    /// stalled with its first window received, the other streams done.
    final class StalledConnection: @unchecked Sendable {
        // Safety: immutable after init.
        let scenario: EchoScenario
        let client: ChildProcess
        /// The proxy's resident memory before stream A started.
        let residentBefore: Int

        init(_ transport: Transport) async throws {
            scenario = try await EchoScenario.start()
            let (port, authority, tls): (Int, String, [String]) =
                switch transport {
                case .h2c: (scenario.gatehouse.httpPort, "plain.example.test", [])
                case .tls: (scenario.gatehouse.httpsPort, EchoScenario.host, ["--tls", scenario.certificate.certificateFile.path])
                }
            client = try ChildProcess(
                ProtocolFixtures.python,
                [
                    ProtocolFixtures.path("h2_slow_stream_client.py"), "--port", String(port), "--authority", authority,
                    "--large-bytes", String(HTTP2FlowControlTests.largeBytes), "--others", "20",
                ] + tls
            )
            _ = try await client.line(startingWith: "ready", timeout: .seconds(60))
            residentBefore = try ProcFS.residentBytes(of: scenario.gatehouse.process.process.processIdentifier)
            try client.send("go")
            _ = try await client.line(startingWith: "paused", timeout: .seconds(60))
        }

        /// The proxy's connections to the echo backend.
        func backendSockets() throws -> [ProcFS.TCPSocket] {
            try ProcFS.tcpSockets().filter { $0.remotePort == scenario.echo.port }
        }

        /// The proxy's sockets of client connections (either port) that the client closed and the proxy did not.
        func halfClosedClientSockets() throws -> [ProcFS.TCPSocket] {
            let ports = [scenario.gatehouse.httpPort, scenario.gatehouse.httpsPort]
            return try ProcFS.tcpSockets().filter { ports.contains($0.localPort) && $0.state == ProcFS.TCPSocket.State.closeWait }
        }

        /// Waits (bounded) until the proxy's backend connection of stream A holds unread bytes in its kernel receive
        /// queue: the proxy stopped reading it. Returns that socket.
        func stalledBackendSocket() async throws -> ProcFS.TCPSocket {
            var stalled: ProcFS.TCPSocket?
            try await waitFor(
                "the proxy to leave stream A's backend bytes unread (backend sockets: \(try backendSockets()))", timeout: .seconds(10)
            ) {
                stalled = try backendSockets().first { $0.receiveQueue > 0 && $0.state == ProcFS.TCPSocket.State.established }
                return stalled != nil
            }
            return stalled!
        }

        func stop() {
            client.stop()
            scenario.stop()
        }
    }

    @Test(
        "a stalled stream holds back only itself: the others complete, the proxy stops reading its backend, and it completes once its window opens",
        arguments: Transport.allCases
    )
    func stalledStreamDoesNotStallOthers(transport: Transport) async throws {
        let connection = try await StalledConnection(transport)
        defer { connection.stop() }
        let client = connection.client
        #expect(client.lines(startingWith: "ok ") == ["warmup", "stalled", "others"], "\(client.output) \(client.errors.suffix(2000))")
        #expect(client.lines(startingWith: "stalled-bytes ") == ["65535"], "stream A received exactly its window: \(client.output)")
        let othersSeconds = client.lines(startingWith: "others-seconds ").first.flatMap(Double.init)
        #expect(othersSeconds != nil && othersSeconds! < 10, "the 21 other requests took \(othersSeconds ?? -1) s")

        // The proxy stopped reading stream A's backend: its memory did not grow by anything like the body's size, and
        // the body waits in the kernel (in the receive queue of the proxy's backend connection).
        let residentStalled = try ProcFS.residentBytes(of: connection.scenario.gatehouse.process.process.processIdentifier)
        #expect(
            residentStalled - connection.residentBefore < Self.memoryAllowance,
            "resident memory grew by \(residentStalled - connection.residentBefore) bytes while stream A was stalled")
        _ = try await connection.stalledBackendSocket()

        try client.send("go")
        let status = try await client.waitForExit(timeout: .seconds(120))
        #expect(status == 0, "\(client.output) \(client.errors.suffix(2000))")
        #expect(client.lines(startingWith: "ok ") == ["warmup", "stalled", "others", "large", "after", "closed"], "\(client.output)")
        #expect(try connection.halfClosedClientSockets().isEmpty, "no client connection is left half-closed")
        #expect(connection.scenario.gatehouse.process.isRunning)
    }

    @Test(
        "a client that closes its connection while a stream is stalled gets it closed at once, and the stream's backend connection is freed",
        arguments: Transport.allCases
    )
    func closedConnectionFreesStalledStream(transport: Transport) async throws {
        let connection = try await StalledConnection(transport)
        defer { connection.stop() }
        let client = connection.client
        #expect(client.lines(startingWith: "ok ") == ["warmup", "stalled", "others"], "\(client.output) \(client.errors.suffix(2000))")
        let stalled = try await connection.stalledBackendSocket()

        try client.send("close")
        let status = try await client.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "the proxy closed the connection after the client's FIN: \(client.output) \(client.errors.suffix(2000))")
        #expect(client.lines(startingWith: "ok ").last == "closed", "\(client.output)")
        // Well before any timeout of the stalled exchange (proxy-send-timeout, 60 s), its backend connection is gone.
        try await waitFor("the proxy to close stream A's backend connection", timeout: .seconds(10)) {
            try !connection.backendSockets().contains {
                $0.localPort == stalled.localPort && $0.state == ProcFS.TCPSocket.State.established
            }
        }
        #expect(try connection.halfClosedClientSockets().isEmpty, "no client connection is left half-closed")
        #expect(connection.scenario.gatehouse.process.isRunning)
    }
}
