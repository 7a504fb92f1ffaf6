import Foundation
import Synchronization
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// Manifest changes while the proxy serves: hot reload under load, and broken files that must not break routing.
    @Suite struct ProxyReloadLiveTests {
        /// Services `blue` and `green` in one file, the Ingress (host `app.test`, `/` → `backend`) in another.
        static func files(backend: String) -> ([String: Int]) -> [String: [TestObject]] {
            { ports in
                [
                    "services.yaml": [.service("blue", ports: [ports["blue"]!]), .service("green", ports: [ports["green"]!])],
                    "ingress.yaml": [ingress(to: backend)],
                ]
            }
        }

        /// The Ingress sending every path of `app.test` to `backend`.
        static func ingress(to backend: String, path: String = "/") -> TestObject {
            .ingress("app", host: "app.test", [TestPath(path, to: backend)])
        }

        /// Counts finished load rounds across the load tasks.
        final class Progress: Sendable {
            let rounds = Atomic<Int>(0)
            let reloadsDone = Atomic<Bool>(false)
        }

        @Test func hotReloadDuringLoadFailsNoRequest() async throws {
            let requestsPerRound = 100
            let loaders = 4
            let reloads = 9
            try await LiveProxy.run(echoes: ["blue", "green"], files: Self.files(backend: "blue")) { proxy in
                let progress = Progress()
                let url = proxy.url("/load/[1-\(requestsPerRound)]")
                // Each loader runs rounds of keep-alive requests (one curl, one connection per round) until the
                // reloads are done, then one more round; at most 12 rounds, so the loop is bounded.
                let results = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<loaders {
                        group.addTask {
                            var lines: [String] = []
                            var finalRound = false
                            for _ in 0..<12 {
                                finalRound = progress.reloadsDone.load(ordering: .acquiring)
                                let reply = try await Curl.run(
                                    ["-H", "Host: app.test", "--write-out", "%{http_code} %header{x-echo-name} %{num_connects}\n"],
                                    urls: [url],
                                    keepBodies: false
                                )
                                lines += reply.lines.map { "\(reply.exitCode) \($0)" }
                                progress.rounds.add(1, ordering: .releasing)
                                if finalRound { break }
                            }
                            return lines
                        }
                    }
                    group.addTask {
                        // Reload only while every loader is busy, and let at least one round finish per snapshot.
                        try await waitUntil("every loader to finish a round") { progress.rounds.load(ordering: .acquiring) >= loaders }
                        for reload in 1...reloads {
                            let roundsBefore = progress.rounds.load(ordering: .acquiring)
                            let version = proxy.snapshotVersion
                            try proxy.write("ingress.yaml", [Self.ingress(to: reload % 2 == 1 ? "green" : "blue")])
                            try await proxy.waitForSnapshot(after: version)
                            try await waitUntil("a load round on snapshot \(version + 1)", timeout: .seconds(30)) {
                                progress.rounds.load(ordering: .acquiring) > roundsBefore
                            }
                        }
                        progress.reloadsDone.store(true, ordering: .releasing)
                        return []
                    }
                    var all: [String] = []
                    for try await lines in group { all += lines }
                    return all
                }

                let failures = results.filter { !($0.hasPrefix("0 200 blue ") || $0.hasPrefix("0 200 green ")) }
                #expect(failures.isEmpty, "failed requests: \(failures.prefix(5))")
                #expect(results.count >= (loaders + reloads) * requestsPerRound)
                #expect(results.contains { $0.contains(" blue ") } && results.contains { $0.contains(" green ") })
                // Keep-alive held: one connect per round.
                #expect(results.filter { $0.hasSuffix(" 1") }.count == results.count / requestsPerRound)
                print("hot reload: \(results.count) requests over \(reloads) reloads, \(failures.count) failed")

                // The last reload pointed at green.
                try await waitUntil("requests to reach green") { try await proxy.backendName("/after", host: "app.test") == "green" }
                for _ in 0..<5 {
                    #expect(try await proxy.backendName("/after", host: "app.test") == "green")
                }
            }
        }

        @Test func halfWrittenYAMLKeepsTheLastGoodRoutes() async throws {
            try await LiveProxy.run(echoes: ["blue", "green"], files: Self.files(backend: "blue")) { proxy in
                #expect(try await proxy.backendName("/", host: "app.test") == "blue")
                let good = TestObject.file([Self.ingress(to: "green")])
                // Cut inside a quoted scalar: what a reader sees of a save caught half-way. (Written atomically, so the
                // provider never sees the empty file an in-place rewrite passes through, which would delete the Ingress.)
                let cut = good.range(of: "\"/\"")!.lowerBound
                let version = proxy.snapshotVersion
                try proxy.write("ingress.yaml", text: String(good[..<good.index(after: cut)]))
                try await proxy.waitForSnapshot(after: version)
                #expect(proxy.publisher.current.issues.contains { $0.severity == .error })
                for _ in 0..<5 {
                    #expect(try await proxy.backendName("/", host: "app.test") == "blue")
                }

                try proxy.write("ingress.yaml", text: good)
                try await waitUntil("the fixed file to take effect") { try await proxy.backendName("/", host: "app.test") == "green" }
            }
        }

        @Test func invalidIngressKeepsItsLastGoodVersion() async throws {
            try await LiveProxy.run(echoes: ["blue", "green"], files: Self.files(backend: "blue")) { proxy in
                #expect(try await proxy.backendName("/x", host: "app.test") == "blue")
                let version = proxy.snapshotVersion
                // Valid YAML, invalid Ingress: a relative path is refused by API validation.
                try proxy.write("ingress.yaml", [Self.ingress(to: "green", path: "relative")])
                try await proxy.waitForSnapshot(after: version)
                let issues = proxy.publisher.current.issues.filter { $0.severity == .error }
                #expect(issues.contains { "\($0)".contains("path") }, "issues: \(issues)")
                for _ in 0..<5 {
                    #expect(try await proxy.backendName("/x", host: "app.test") == "blue")
                }

                try proxy.write("ingress.yaml", [Self.ingress(to: "green")])
                try await waitUntil("the fixed Ingress to take effect") { try await proxy.backendName("/x", host: "app.test") == "green" }
            }
        }

        @Test func swappedPathsOfARememberedHostFollowTheNewSnapshot() async throws {
            // Both Services stay referenced, so the clusters keep their places: a route kept from the last snapshot
            // (each event loop remembers the host routes of the last host it served) would still reach the old one.
            let routes = { (a: String, b: String) in
                TestObject.ingress("app", host: "app.test", [TestPath("/a", to: a), TestPath("/b", to: b)])
            }
            try await LiveProxy.run(echoes: ["blue", "green"]) { ports in
                [
                    "services.yaml": [.service("blue", ports: [ports["blue"]!]), .service("green", ports: [ports["green"]!])],
                    "ingress.yaml": [routes("blue", "green")],
                ]
            } _: { proxy in
                for _ in 0..<4 {
                    #expect(try await proxy.backendName("/a", host: "app.test") == "blue")
                    #expect(try await proxy.backendName("/b", host: "app.test") == "green")
                }
                let version = proxy.snapshotVersion
                try proxy.write("ingress.yaml", [routes("green", "blue")])
                try await proxy.waitForSnapshot(after: version)
                try await waitUntil("the swap to reach every event loop") {
                    try await proxy.backendName("/a", host: "app.test") == "green"
                }
                for _ in 0..<4 {
                    #expect(try await proxy.backendName("/a", host: "app.test") == "green")
                    #expect(try await proxy.backendName("/b", host: "app.test") == "blue")
                }
            }
        }

        @Test func addingAndDeletingFilesChangesRoutes() async throws {
            try await LiveProxy.run(echoes: ["blue", "green"], files: Self.files(backend: "blue")) { proxy in
                #expect(try await proxy.get("/", host: "new.test").head.status == 404)
                try proxy.write("new.yaml", [.ingress("new", host: "new.test", [TestPath("/", to: "green")])])
                try await waitUntil("the new file to take effect") { try await proxy.backendName("/", host: "new.test") == "green" }

                try FileManager.default.removeItem(at: proxy.directory.appendingPathComponent("new.yaml"))
                try await waitUntil("the deletion to take effect") { try await proxy.get("/", host: "new.test").head.status == 404 }
                #expect(try await proxy.backendName("/", host: "app.test") == "blue")
            }
        }
    }
}
