import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// The statuses Gatehouse answers itself, through the real proxy.
    @Suite struct ProxyErrorLiveTests {
        @Test func noRouteIs404() async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("app", host: "app.test", [TestPath("/web", to: "web")])]]
            } _: { proxy in
                for (host, path) in [("app.test", "/other"), ("unknown.test", "/web"), ("app.test", "/")] {
                    let (head, body) = try await proxy.get(path, host: host)
                    #expect(head.status == 404)
                    #expect(String(decoding: body, as: UTF8.self) == "404 Not Found\n")
                }
                // A local 404 keeps the connection open.
                let reply = try await proxy.curl(["/nope", "/web"], host: "app.test", ["--write-out", "%{http_code} %{num_connects}\n"])
                #expect(reply.lines == ["404 1", "200 0"])
            }
        }

        @Test func missingServiceAndNoReadyEndpointAre503() async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                [
                    "all.yaml": [
                        .service(name: "unready", endpoints: [TestEndpoint(port: ports["web"]!, ready: false)]),
                        .service(name: "sliceless", endpoints: nil),
                        .ingress(
                            "app", host: nil,
                            [TestPath("/unready", to: "unready"), TestPath("/ghost", to: "ghost"), TestPath("/sliceless", to: "sliceless")]
                        ),
                    ]
                ]
            } _: { proxy in
                for path in ["/unready", "/ghost", "/sliceless"] {
                    let (head, body) = try await proxy.get(path)
                    #expect(head.status == 503, "\(path)")
                    #expect(String(decoding: body, as: UTF8.self) == "503 Service Unavailable\n")
                }
                // The echo behind the unready endpoint was never contacted.
                #expect(proxy.metric("gatehouse_upstream_connects_total") == 0)
            }
        }

        @Test func closedEndpointPortIs502() async throws {
            let port = try await unusedPort()
            try await LiveProxy.run { _ in
                ["all.yaml": [.service("dead", ports: [port]), .ingress("app", host: nil, [TestPath("/", to: "dead")])]]
            } _: { proxy in
                let (head, _) = try await proxy.get("/x")
                #expect(head.status == 502)
                #expect(proxy.metric("gatehouse_upstream_connect_failures_total") >= 1)
            }
        }

        @Test func backendSlowerThanTheReadTimeoutIs504() async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                [
                    "all.yaml": [
                        .service("web", ports: [ports["web"]!]),
                        .ingress("slow", host: nil, annotations: ["proxy-read-timeout": "1"], [TestPath("/", to: "web")]),
                    ]
                ]
            } _: { proxy in
                let clock = ContinuousClock()
                let start = clock.now
                // The backend would answer after 10 s; the proxy gives up after 1 s (bounds allow for a loaded machine).
                let (head, body) = try await proxy.get("/slow", ["-H", "X-Echo-Delay-Ms: 10000"])
                let elapsed = clock.now - start
                #expect(head.status == 504)
                #expect(String(decoding: body, as: UTF8.self) == "504 Gateway Timeout\n")
                #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(8), "answered after \(elapsed)")
                // A backend within the timeout is fine.
                #expect(try await proxy.get("/quick", ["-H", "X-Echo-Delay-Ms: 100"]).head.status == 200)
            }
        }

        @Test func bodiesOverTheLimitAre413() async throws {
            let directory = try temporaryDirectory("limits")
            defer { try? FileManager.default.removeItem(at: directory) }
            func file(_ size: Int) throws -> String {
                let url = directory.appendingPathComponent("\(size)")
                try Data(repeating: UInt8(ascii: "x"), count: size).write(to: url)
                return "@" + url.path
            }
            let mebibyte = 1024 * 1024
            try await LiveProxy.run(echoes: ["web"]) { ports in
                [
                    "all.yaml": [
                        .service("web", ports: [ports["web"]!]),
                        .ingress("small", host: "small.test", annotations: ["proxy-body-size": "1k"], [TestPath("/", to: "web")]),
                        .ingress("default", host: "default.test", [TestPath("/", to: "web")]),
                    ]
                ]
            } _: { proxy in
                func status(_ host: String, _ arguments: [String]) async throws -> Int? {
                    try await proxy.curl(["/up"], host: host, arguments).last?.status
                }
                #expect(try await status("small.test", ["--data-binary", try file(1024)]) == 200)
                #expect(try await status("small.test", ["--data-binary", try file(1025)]) == 413)
                #expect(try await status("default.test", ["--data-binary", try file(mebibyte)]) == 200)
                #expect(try await status("default.test", ["--data-binary", try file(mebibyte + 1)]) == 413)
                // Without a Content-Length the limit is enforced while the body streams.
                let chunked = ["-H", "Transfer-Encoding: chunked", "--data-binary", try file(mebibyte + 1)]
                #expect(try await status("default.test", chunked) == 413)
                #expect(try await status("small.test", ["-H", "Transfer-Encoding: chunked", "--data-binary", try file(2000)]) == 413)
            }
        }

        /// A request head over a limit, named for the test log.
        struct OversizedHead: Sendable, CustomTestStringConvertible {
            /// What is too large.
            var name: String
            /// The header lines.
            var headers: String

            var testDescription: String { name }
        }

        static let oversizedHeads = [
            OversizedHead(name: "one header over 32 KiB", headers: "X-Big: " + String(repeating: "a", count: 33 * 1024) + "\r\n"),
            OversizedHead(
                name: "many headers adding up to over 32 KiB",
                headers: (0..<90).map { "X-H\($0): " + String(repeating: "b", count: 400) + "\r\n" }.joined()
            ),
            OversizedHead(name: "more than 100 header fields", headers: (0..<101).map { "X-N\($0): v\r\n" }.joined()),
        ]

        @Test(arguments: oversizedHeads)
        func oversizedHeadsAre431(_ oversized: OversizedHead) async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("all", host: nil, [TestPath("/", to: "web")])]]
            } _: { proxy in
                let reply = try await RawClient.exchange(port: proxy.port, "GET / HTTP/1.1\r\nHost: h\r\n" + oversized.headers + "\r\n")
                #expect(reply.statuses == [431], "\(oversized.name)")
                #expect(reply.closedByServer)
                #expect(proxy.metric("gatehouse_upstream_connects_total") == 0)
            }
        }

        @Test func headsJustUnderTheLimitPass() async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("all", host: nil, [TestPath("/", to: "web")])]]
            } _: { proxy in
                let big = String(repeating: "c", count: 30 * 1024)
                let report = try await proxy.echo("/ok", ["-H", "X-Big: \(big)"])
                #expect(report.headers["x-big"] == big)
            }
        }

        @Test func aClientTooSlowToSendItsHeadGets408() async throws {
            try await LiveProxy.run(echoes: ["web"], configure: { $0.clientHeaderTimeout = .seconds(1) }) { ports in
                ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("all", host: nil, [TestPath("/", to: "web")])]]
            } _: { proxy in
                let reply = try await RawClient.exchange(port: proxy.port, "GET / HTTP/1.1\r\nHost: h\r\n")
                #expect(reply.statuses == [408])
                #expect(reply.closedByServer)
            }
        }

        @Test func aSlowHeadAfterAnAnsweredRequestGets408() async throws {
            // The keep-alive timeout (75 s) is far beyond the client's deadline: only the header timeout, started by
            // the second head's first bytes, can close this connection in time.
            try await LiveProxy.run(echoes: ["web"], configure: { $0.clientHeaderTimeout = .seconds(1) }) { ports in
                ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("all", host: nil, [TestPath("/", to: "web")])]]
            } _: { proxy in
                let reply = try await RawClient.exchange(
                    port: proxy.port,
                    pieces: [Array("GET /first HTTP/1.1\r\nHost: h\r\n\r\n".utf8), Array("GET /second HTTP/1.1\r\nHost: h\r\n".utf8)]
                )
                #expect(reply.statuses == [200, 408])
                #expect(reply.closedByServer)
            }
        }
    }
}

/// A loopback port nothing listens on: bound once to get it from the kernel, then closed.
func unusedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0)
        .get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    return port
}
