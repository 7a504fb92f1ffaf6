import NIOCore
import NIOPosix
import Routing
import Testing

@testable import DataPlane

/// The upstream pool against real backend sockets on 127.0.0.1: a pooled connection the backend closes while it
/// is idle is never handed out again, and an endpoint whose idle list is full of such connections still takes a
/// live one (the closed ones are dropped to make room).
struct UpstreamPoolLiveTests {
    /// The pool and its loop, usable from the test's task.
    struct Harness: Sendable {
        let loop: any EventLoop
        let pool: NIOLoopBound<UpstreamPool>
        let key: PoolKey

        init(port: Int, maxIdle: Int) async throws {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            var configuration = ProxyConfiguration(bindAddress: "127.0.0.1", httpPort: 0, httpsPort: nil, drainTimeout: .seconds(1))
            configuration.maxIdlePerEndpoint = maxIdle
            let frozen = configuration
            self.loop = loop
            self.pool = try await loop.submit {
                NIOLoopBound(UpstreamPool(eventLoop: loop, configuration: frozen, metrics: ProxyMetrics()), eventLoop: loop)
            }.get()
            self.key = PoolKey(endpoint: UpstreamEndpoint(Endpoint(host: "127.0.0.1", port: port)), backendProtocol: .http)
        }

        /// Opens `count` connections and returns them to the pool as idle.
        func openIdle(_ count: Int) async throws {
            for _ in 0..<count {
                try await loop.flatSubmit {
                    pool.value.connect(key, timeout: .seconds(5)).assumeIsolated().map { pool.value.release($0) }.nonisolated()
                }.get()
            }
        }

        /// How many idle connections `takeIdle` hands out (each is released again), and how many of them are open.
        func idleConnections() async throws -> (taken: Int, open: Int) {
            try await loop.submit {
                var taken: [UpstreamConnection] = []
                while let connection = pool.value.takeIdle(key) { taken.append(connection) }
                for connection in taken { pool.value.release(connection) }
                return (taken.count, taken.filter(\.isOpen).count)
            }.get()
        }

        /// Whether every connection the pool lists has seen its close (taking none).
        func allListedClosed() async throws -> Bool {
            try await loop.submit { pool.value.listedConnections(key).allSatisfy { !$0.isOpen } }.get()
        }

        /// Closes everything.
        func close() async throws {
            try await loop.submit { pool.value.closeAll() }.get()
        }
    }

    @Test func aConnectionTheBackendClosedIsNotHandedOut() async throws {
        try await RawBackend.with { backend in
            let harness = try await Harness(port: backend.port, maxIdle: 4)
            try await harness.openIdle(2)
            let before = try await harness.idleConnections()
            #expect(before.taken == 2 && before.open == 2, "both connections are pooled and open: \(before)")

            // The backend accepts on its own loop: wait until it has both connections, then close them.
            try await waitUntil("the backend to accept both connections") { backend.accepted == 2 }
            await backend.closeConnections()
            try await waitUntil("the pool's connections to see the backend close them") { try await harness.allListedClosed() }
            let after = try await harness.idleConnections()
            #expect(after.taken == 0, "a closed connection was handed out: \(after)")
            try await harness.close()
        }
    }

    @Test func aFullListOfClosedConnectionsMakesRoomForALiveOne() async throws {
        try await RawBackend.with { backend in
            let harness = try await Harness(port: backend.port, maxIdle: 2)
            try await harness.openIdle(2)
            try await waitUntil("the backend to accept both connections") { backend.accepted == 2 }
            await backend.closeConnections()
            try await waitUntil("the pool's connections to see the backend close them") { try await harness.allListedClosed() }

            // The list is full of closed connections; a live one released now is kept, not closed.
            try await harness.openIdle(1)
            let idle = try await harness.idleConnections()
            #expect(idle.taken == 1 && idle.open == 1, "the live connection is pooled: \(idle)")
            try await waitUntil("the backend to accept the third connection") { backend.accepted == 3 }
            try await harness.close()
        }
    }
}
