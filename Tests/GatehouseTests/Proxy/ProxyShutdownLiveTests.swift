import Foundation
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// Graceful shutdown of the real proxy.
    @Suite struct ProxyShutdownLiveTests {
        @Test func aRequestInFlightCompletesDuringShutdown() async throws {
            // A drain timeout far beyond the bounds below: the drain must end because the request finished.
            try await LiveProxy.run(echoes: ["slow"], configure: { $0.drainTimeout = .seconds(30) }) { ports in
                ["all.yaml": [.service("slow", ports: [ports["slow"]!]), .ingress("app", host: nil, [TestPath("/", to: "slow")])]]
            } _: { proxy in
                let url = proxy.url("/in-flight")
                let request = Task { try await Curl.run(["-H", "X-Echo-Delay-Ms: 1000"], urls: [url]) }
                // The request has reached the backend once the proxy opened its upstream connection.
                try await waitUntil("the request to be forwarded") { proxy.metric("gatehouse_upstream_connects_total") == 1 }

                let clock = ContinuousClock()
                let start = clock.now
                try await proxy.shutdown()
                let drained = clock.now - start

                let reply = try await request.value
                #expect(reply.exitCode == 0)
                #expect(reply.last?.status == 200)
                #expect(reply.last?.header("Connection") == "close")
                let report = try JSONDecoder().decode(EchoReport.self, from: Data(reply.bodies[0]))
                #expect(report.target == "/in-flight")
                #expect(drained >= .milliseconds(500) && drained < .seconds(8), "shutdown took \(drained)")

                // The listener is gone.
                let after = try await Curl.run([], urls: [url])
                #expect(after.exitCode == 7)
            }
        }

        @Test func idleKeepAliveConnectionsAreClosedAtShutdown() async throws {
            try await LiveProxy.run(echoes: ["web"], configure: { $0.drainTimeout = .seconds(30) }) { ports in
                ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("app", host: nil, [TestPath("/", to: "web")])]]
            } _: { proxy in
                // A keep-alive client that sends one request and then waits: the shutdown must close it, not wait for it.
                let client = Task {
                    try await RawClient.exchange(port: proxy.port, "GET /idle HTTP/1.1\r\nHost: h\r\n\r\n", deadline: .seconds(8))
                }
                try await waitUntil("the response to be sent") { proxy.metrics.responseCount(statusClass: 2) == 1 }
                let clock = ContinuousClock()
                let start = clock.now
                try await proxy.shutdown()
                #expect(clock.now - start < .seconds(5), "the drain waited for an idle connection")
                let reply = try await client.value
                #expect(reply.statuses == [200])
                #expect(reply.closedByServer)
            }
        }
    }
}
