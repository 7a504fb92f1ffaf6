import Foundation
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// A failed connect is retried on another endpoint.
    @Suite struct ProxyRetryLiveTests {
        /// One Service with a dead endpoint (nothing listens on its port) and the echo `web`.
        static func files(dead: Int, tries: String? = nil) -> ([String: Int]) -> [String: [TestObject]] {
            { ports in
                [
                    "all.yaml": [
                        .service("pair", ports: [dead, ports["web"]!]),
                        .ingress(
                            "app", host: nil, annotations: tries.map { ["proxy-next-upstream-tries": $0] } ?? [:],
                            [TestPath("/", to: "pair")]),
                    ]
                ]
            }
        }

        @Test func everyRequestSucceedsWhenOneOfTwoEndpointsIsDead() async throws {
            let dead = try await unusedPort()
            try await LiveProxy.run(echoes: ["web"], files: Self.files(dead: dead)) { proxy in
                // Keep-alive and fresh connections alike; round-robin sends every other attempt to the dead endpoint first.
                let reply = try await proxy.curl(Array(repeating: "/ka", count: 6), ["--write-out", "%{http_code}\n"])
                #expect(reply.lines == Array(repeating: "200", count: 6))
                #expect(reply.finals.allSatisfy { $0.header("X-Echo-Name") == "web" })
                for _ in 0..<4 {
                    #expect(try await proxy.backendName("/fresh") == "web")
                }
                // A request with a body: nothing was sent when the connect failed, so it is safe to retry too.
                let report = try await proxy.echo("/post", ["--data-binary", "hello"])
                #expect(report.method == "POST")
                #expect(report.bodyBytes == 5)
                #expect(proxy.metric("gatehouse_upstream_connect_failures_total") >= 3)
                #expect(proxy.metric("gatehouse_upstream_retries_total") >= 3)
            }
        }

        @Test func withOneTryTheDeadEndpointShows() async throws {
            // The control: without retries, the requests that pick the dead endpoint fail.
            let dead = try await unusedPort()
            try await LiveProxy.run(echoes: ["web"], files: Self.files(dead: dead, tries: "1")) { proxy in
                let reply = try await proxy.curl(Array(repeating: "/one", count: 4), ["--write-out", "%{http_code}\n"])
                #expect(reply.lines.sorted() == ["200", "200", "502", "502"])
            }
        }
    }
}
