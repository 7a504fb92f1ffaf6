import Foundation
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// Connection handling through the real proxy: keep-alive towards the client, pooled upstream connections,
    /// pipelining, HTTP/1.0.
    @Suite struct ProxyConnectionLiveTests {
        /// `/web` → web and `/api` → api for every host.
        static func files(_ ports: [String: Int]) -> [String: [TestObject]] {
            [
                "all.yaml": [
                    .service("web", ports: [ports["web"]!]), .service("api", ports: [ports["api"]!]),
                    .ingress("app", host: nil, [TestPath("/web", to: "web"), TestPath("/api", to: "api")]),
                ]
            ]
        }

        @Test func clientConnectionIsKeptAliveAndUpstreamConnectionReused() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy in
                let reply = try await proxy.curl(["/web/1", "/web/2", "/web/3", "/web/4"], ["--write-out", "%{num_connects}\n"])
                #expect(reply.exitCode == 0)
                #expect(reply.lines == ["1", "0", "0", "0"])
                #expect(reply.finals.map(\.status) == [200, 200, 200, 200])
                #expect(reply.finals.allSatisfy { $0.header("Connection") == nil })
                #expect(proxy.metric("gatehouse_connections_opened_total") == 1)
                // One client connection lives on one event loop, whose pool keeps the upstream connection.
                #expect(proxy.metric("gatehouse_upstream_connects_total") == 1)

                // A second backend on the same client connection adds exactly one upstream connection.
                let mixed = try await proxy.curl(["/api/1", "/web/5", "/api/2"], ["--write-out", "%{num_connects}\n"])
                #expect(mixed.lines == ["1", "0", "0"])
                #expect(mixed.finals.map { $0.header("X-Echo-Name") ?? "" } == ["api", "web", "api"])
                #expect(proxy.metric("gatehouse_upstream_connects_total") <= 3)
            }
        }

        /// Both sides of the proxy send small writes at once (Nagle's algorithm off), and no socket carries an
        /// option set at the wrong level (`TCP_NODELAY`'s number at `SOL_SOCKET` is `SO_DEBUG`).
        @Test func proxySocketsHaveNagleOffAndNoStrayOption() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy in
                let client = try LoopbackClient(port: proxy.port)
                defer { client.close() }
                let head = try client.exchange("GET /web/socket HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
                let echoPort = try #require(proxy.echoes["web"]).localPort
                let sockets = ProcessSockets.connected()
                let accepted = sockets.filter { $0.localPort == proxy.port && $0.peerPort == client.localPort }
                let upstream = sockets.filter { $0.peerPort == echoPort }
                let echoSide = sockets.filter { $0.localPort == echoPort }
                #expect(accepted.count == 1, "\(sockets)")
                #expect(!upstream.isEmpty, "\(sockets)")
                #expect(!echoSide.isEmpty, "\(sockets)")
                for socket in accepted + upstream + echoSide {
                    #expect(socket.noDelay, "\(socket)")
                    #expect(!socket.debug, "\(socket)")
                }
            }
        }

        @Test func upstreamConnectionsOutliveClientConnections() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy async throws in
                for _ in 0..<8 {
                    #expect(try await proxy.get("/web").head.status == 200)
                }
                #expect(proxy.metric("gatehouse_connections_opened_total") == 8)
                // Pools are per event loop (two in the harness): at most one upstream connection each.
                #expect(proxy.metric("gatehouse_upstream_connects_total") <= 2)
            }
        }

        @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy in
                let request =
                    "GET /web/one HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /api/two HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nfoobar"
                    + "GET /web/three HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 20\r\n\r\n"
                    + "GET /api/four HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                let reply = try await RawClient.exchange(port: proxy.port, request)
                #expect(reply.closedByServer)
                #expect(reply.statuses == [200, 200, 200, 200])
                let reports = try reply.responses.map { try JSONDecoder().decode(EchoReport.self, from: Data($0.body)) }
                #expect(reports.map(\.target) == ["/web/one", "/api/two", "/web/three", "/api/four"])
                #expect(reports.map(\.name) == ["web", "api", "web", "api"])
                #expect(reports[1].bodyFNV1a64 == "85944171f73967e8")
                #expect(reply.responses.last?.header("Connection") == "close")
            }
        }

        @Test func http10ClientsAreAnsweredAndClosed() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy in
                let reply = try await RawClient.exchange(port: proxy.port, "GET /web/old HTTP/1.0\r\nHost: h\r\n\r\n")
                #expect(reply.closedByServer)
                #expect(reply.status == 200)
                #expect(reply.header("Connection")?.lowercased() == "close")
                #expect(reply.text.contains("\"target\":\"/web/old\""))

                let kept = try await RawClient.exchange(
                    port: proxy.port,
                    "GET /web/a HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\nGET /web/b HTTP/1.0\r\nHost: h\r\n\r\n"
                )
                #expect(kept.statuses == [200, 200])
                #expect(kept.responses.first?.header("Connection")?.lowercased() == "keep-alive")
                #expect(kept.responses.last?.header("Connection")?.lowercased() == "close")
                #expect(kept.responses.last?.text.contains("\"target\":\"/web/b\"") == true)
                #expect(kept.closedByServer)
            }
        }

        @Test func aClientThatAsksToCloseIsClosedOnceAnswered() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy in
                // The client keeps its side open after the response. It said `Connection: close` and sent nothing
                // more, so the proxy closes the connection once the response is written instead of lingering for
                // the client's FIN (up to 2 s).
                let reply = try await RawClient.exchange(
                    port: proxy.port, pieces: [Array("GET /web/bye HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".utf8)]
                ) {
                    try await waitUntil("the proxy closing the answered connection", timeout: .seconds(1)) {
                        proxy.metric("gatehouse_connections_active") == 0
                    }
                }
                #expect(reply.statuses == [200])
                #expect(reply.header("Connection")?.lowercased() == "close")
                #expect(reply.closedByServer)
            }
        }

        @Test func aClientHalfCloseStillGetsItsResponsesThenTheConnectionCloses() async throws {
            try await LiveProxy.run(echoes: ["web", "api"], files: Self.files) { proxy in
                func halfClosed(_ request: String) async throws -> RawReply {
                    try await RawClient.exchange(port: proxy.port, pieces: [Array(request.utf8)], halfClose: true)
                }
                let one = try await halfClosed("GET /web/half HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 50\r\n\r\n")
                #expect(one.statuses == [200])
                #expect(one.responses.first?.text.contains("\"target\":\"/web/half\"") == true)
                #expect(one.closedByServer)

                let pipelined = try await halfClosed("GET /web/a HTTP/1.1\r\nHost: h\r\n\r\nGET /api/b HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(pipelined.statuses == [200, 200])
                #expect(pipelined.closedByServer)

                let local = try await halfClosed("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(local.statuses == [404])
                #expect(local.closedByServer)
            }
        }
    }
}
