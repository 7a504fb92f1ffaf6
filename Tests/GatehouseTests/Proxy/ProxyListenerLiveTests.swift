import DataPlane
import Foundation
import Logging
import NIOCore
import NIOPosix
import Routing
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// The listeners: one listening socket per event loop shares the port (`SO_REUSEPORT`), yet a second server
    /// on a port that is already served is refused instead of silently taking a share of its connections.
    @Suite struct ProxyListenerLiveTests {
        static func files(_ ports: [String: Int]) -> [String: [TestObject]] {
            ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("app", host: nil, [TestPath("/", to: "web")])]]
        }

        @Test func aSecondServerOnTheSamePortIsRefused() async throws {
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
                let configuration = ProxyConfiguration(bindAddress: "127.0.0.1", httpPort: proxy.port, httpsPort: nil)
                let second = ProxyServer(
                    configuration: configuration,
                    group: group,
                    live: LiveSnapshot(group: group, configuration: configuration, metrics: ProxyMetrics()),
                    certificates: nil,
                    logger: Logger(label: "gatehouse.second") { _ in SwiftLogNoOpLogHandler() }
                )
                let running = Task { try await second.run() }
                await #expect(throws: (any Error).self, "the second server must not listen on the served port") {
                    _ = try await withTimeout("the second server to give up", .seconds(10)) { try await second.boundPort() }
                }
                // Had it listened, it would serve until stopped: stop it either way (bounded).
                running.cancel()
                _ = try? await withTimeout("the second server to stop", .seconds(10)) { try await running.value }
                // The first server keeps all of its connections: every one of many new connections reaches it.
                let replies = try await proxy.curl(
                    (0..<16).map { "/\($0)" }, ["-H", "Connection: close", "--write-out", "%{num_connects}\n"])
                #expect(replies.lines == Array(repeating: "1", count: 16), "each request on a new connection")
                #expect(replies.finals.map(\.status) == Array(repeating: 200, count: 16))
                try await group.shutdownGracefully()
            }
        }
    }
}
