import Foundation
import Logging
import Routing
import Synchronization
import Testing

@testable import ControlPlane

/// Records every published snapshot and lets a test wait for one that satisfies a condition.
final class RecordingStore: SnapshotStore {
    let snapshots = Mutex<[RoutingSnapshot]>([])

    func publish(_ snapshot: RoutingSnapshot) { snapshots.withLock { $0.append(snapshot) } }

    /// Waits (bounded) until a published snapshot satisfies `condition`.
    func waitFor(timeout: Duration = .seconds(30), _ condition: (RoutingSnapshot) -> Bool) async throws -> RoutingSnapshot? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let match = snapshots.withLock({ $0.last }), condition(match) { return match }
            try await Task.sleep(for: .milliseconds(20))  // polling a condition, bounded by `deadline`
        }
        return nil
    }
}

struct FileProviderTests {
    static func ingress(name: String, host: String, service: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: \(name)}
        spec:
          ingressClassName: gatehouse
          rules:
          - host: \(host)
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: \(service), port: {number: 80}}}}
        """
    }

    /// Runs a provider polling every `pollInterval` on a fresh directory holding `a.yaml` (Ingress `a` for
    /// `a.example`), then `body` with the directory, that file and the store snapshots are published into. The
    /// provider watches the directory, or the path `watching` spells from it.
    static func withProvider(
        pollInterval: Duration, watching: (URL) -> String = { $0.path }, _ body: (URL, URL, RecordingStore) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-fp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a.yaml")
        try Self.ingress(name: "a", host: "a.example", service: "one").write(to: first, atomically: true, encoding: .utf8)
        let store = RecordingStore()
        let publisher = SnapshotPublisher(options: RoutingOptions(), store: store, logger: Logger(label: "test"))
        let provider = FileProvider(
            paths: [watching(directory)], publisher: publisher, logger: Logger(label: "test"), pollInterval: pollInterval)
        let task = Task { try await provider.run() }
        defer { task.cancel() }
        try await body(directory, first, store)
    }

    @Test("edits, additions, deletions and broken files are picked up while running")
    func hotReload() async throws {
        try await Self.withProvider(pollInterval: .milliseconds(20)) { directory, first, store in
            let initial = try await store.waitFor { $0.routeTable.exactHosts["a.example"] != nil }
            #expect(initial != nil)

            // Edit: the host changes.
            try Self.ingress(name: "a", host: "b.example", service: "one").write(to: first, atomically: true, encoding: .utf8)
            let edited = try await store.waitFor { $0.routeTable.exactHosts["b.example"] != nil }
            #expect(edited?.routeTable.exactHosts["a.example"] == nil)

            // Broken YAML: the last good objects of that file keep serving, with an issue.
            try "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a\n".write(to: first, atomically: true, encoding: .utf8)
            let broken = try await store.waitFor { snapshot in snapshot.issues.contains { $0.message.contains("not valid YAML") } }
            #expect(broken?.routeTable.exactHosts["b.example"] != nil)

            // A new file adds routes; deleting it removes them.
            let second = directory.appendingPathComponent("c.yaml")
            try Self.ingress(name: "c", host: "c.example", service: "two").write(to: second, atomically: true, encoding: .utf8)
            #expect(try await store.waitFor { $0.routeTable.exactHosts["c.example"] != nil } != nil)
            try FileManager.default.removeItem(at: second)
            #expect(try await store.waitFor { $0.routeTable.exactHosts["c.example"] == nil } != nil)
        }
    }

    @Test("a folder of manifests removed or added as a whole is seen (its files are not named one by one)")
    func wholeFolders() async throws {
        // The files of a folder moved in are new without an event of their own: they are read once they hold
        // still for a poll. A folder moved out takes its files with it: found gone by looking at every file.
        try await Self.withProvider(pollInterval: .milliseconds(20)) { directory, _, store in
            #expect(try await store.waitFor { $0.routeTable.exactHosts["a.example"] != nil } != nil)
            let staging = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-fp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try Self.ingress(name: "d", host: "d.example", service: "one").write(
                to: staging.appendingPathComponent("d.yaml"), atomically: true, encoding: .utf8)
            let folder = directory.appendingPathComponent("team")
            try FileManager.default.moveItem(at: staging, to: folder)
            #expect(try await store.waitFor { $0.routeTable.exactHosts["d.example"] != nil } != nil)

            try FileManager.default.moveItem(at: folder, to: staging)
            defer { try? FileManager.default.removeItem(at: staging) }
            let after = try await store.waitFor { $0.routeTable.exactHosts["d.example"] == nil }
            #expect(after?.routeTable.exactHosts["a.example"] != nil)
        }
    }

    @Test("a manifest given as a file is followed however its path is spelled")
    func fileGivenByPath() async throws {
        // Polls far apart: only the inotify event of its directory can apply the edit within the wait below.
        try await Self.withProvider(pollInterval: .seconds(60), watching: { $0.path + "//a.yaml" }) { _, file, store in
            #expect(try await store.waitFor { $0.routeTable.exactHosts["a.example"] != nil } != nil)
            try Self.ingress(name: "a", host: "b.example", service: "one").write(to: file, atomically: true, encoding: .utf8)
            #expect(try await store.waitFor { $0.routeTable.exactHosts["b.example"] != nil } != nil)
        }
    }

    @Test("a file written completely is applied at once, without waiting for the next poll")
    func inotifyApplies() async throws {
        // Polls far apart: only an inotify event can apply the edit within the wait below.
        try await Self.withProvider(pollInterval: .seconds(60)) { _, file, store in
            #expect(try await store.waitFor { $0.routeTable.exactHosts["a.example"] != nil } != nil)
            try Self.ingress(name: "a", host: "b.example", service: "one").write(to: file, atomically: true, encoding: .utf8)
            #expect(try await store.waitFor { $0.routeTable.exactHosts["b.example"] != nil } != nil)
        }
    }

    @Test(
        "timestamps are RFC 3339 UTC",
        arguments: [(0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_795_718_096, "2026-11-26T18:34:56Z")])
    func timestamp(seconds: Int, expected: String) {
        #expect(FileProvider.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds))) == expected)
    }
}
