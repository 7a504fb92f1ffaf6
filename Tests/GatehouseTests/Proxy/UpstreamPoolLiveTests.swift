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
            configuration.maxIdleUpstreamConnections = maxIdle
            let frozen = configuration
            self.loop = loop
            self.pool = try await loop.submit {
                NIOLoopBound(UpstreamPool(eventLoop: loop, configuration: frozen, metrics: ProxyMetrics()), eventLoop: loop)
            }.get()
            self.key = PoolKey(endpoint: UpstreamEndpoint(Endpoint(host: "127.0.0.1", port: port)), backendProtocol: .http)
        }

        /// Opens `count` connections (to the harness's endpoint, or `other`) and returns them to the pool as idle.
        func openIdle(_ count: Int, on other: PoolKey? = nil) async throws {
            let key = other ?? self.key
            for _ in 0..<count {
                try await loop.flatSubmit {
                    pool.value.connect(key, timeout: .seconds(5)).assumeIsolated().map { pool.value.release($0) }.nonisolated()
                }.get()
            }
        }

        /// How many idle connections `takeIdle` hands out for the harness's endpoint (or `other`; each is released
        /// again), and how many of them are open.
        func idleConnections(of other: PoolKey? = nil) async throws -> (taken: Int, open: Int) {
            let key = other ?? self.key
            return try await loop.submit {
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

    /// The limit is the loop's, as ingress-nginx's `upstream-keepalive-connections` is a worker's: idle connections
    /// to every endpoint count together, and a connection returned to a full pool takes the place of the least
    /// recently used one, whichever endpoint that belongs to.
    @Test func theLimitCountsEveryEndpointTogether() async throws {
        try await RawBackend.with { first in
            try await RawBackend.with { second in
                let harness = try await Harness(port: first.port, maxIdle: 3)
                let other = PoolKey(endpoint: UpstreamEndpoint(Endpoint(host: "127.0.0.1", port: second.port)), backendProtocol: .http)
                try await harness.openIdle(2)
                try await harness.openIdle(2, on: other)
                let kept = try await harness.idleConnections()
                let keptOther = try await harness.idleConnections(of: other)
                #expect(kept.taken == 1 && keptOther.taken == 2, "the oldest idle connection made room: \(kept), \(keptOther)")
                #expect(kept.open == 1 && keptOther.open == 2, "idle: \(kept) and \(keptOther)")
                try await waitUntil("the first backend to see its oldest connection closed") { first.openConnections == 1 }
                #expect(second.openConnections == 2)
                try await harness.close()
            }
        }
    }
}
