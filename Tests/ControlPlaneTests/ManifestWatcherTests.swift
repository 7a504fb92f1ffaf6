import Foundation
import Testing

@testable import ControlPlane

/// The inotify side of the file provider: which files count as complete, new directories, waking.
struct ManifestWatcherTests {
    /// A fresh directory, removed after `body`.
    static func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-mw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    /// Waits (bounded) until the watcher reports an event, and returns it.
    static func nextEvents(_ watcher: ManifestWatcher) -> ManifestWatcher.Events {
        for _ in 0..<50 {
            let events = watcher.wait(timeout: .milliseconds(100))
            if events.any { return events }
        }
        return ManifestWatcher.Events()
    }

    @Test("a file moved into place or closed after writing is complete; one still open for writing is not")
    func completeFiles() throws {
        try Self.withDirectory { directory in
            let watcher = ManifestWatcher(paths: [directory])
            #expect(watcher.isWatching)
            let renamed = (directory as NSString).appendingPathComponent("a.yaml")
            try "kind: Service\n".write(toFile: renamed, atomically: true, encoding: .utf8)
            #expect(Self.nextEvents(watcher).completed.contains(renamed))

            let inPlace = (directory as NSString).appendingPathComponent("b.yaml")
            #expect(FileManager.default.createFile(atPath: inPlace, contents: nil))
            _ = Self.nextEvents(watcher)
            let handle = try #require(FileHandle(forWritingAtPath: inPlace))
            try handle.write(contentsOf: Data("kind: Ser".utf8))
            let writing = Self.nextEvents(watcher)
            #expect(writing.any)
            #expect(!writing.completed.contains(inPlace))
            try handle.write(contentsOf: Data("vice\n".utf8))
            try handle.close()
            #expect(Self.nextEvents(watcher).completed.contains(inPlace))
        }
    }

    @Test("files in a directory created after the watch started are seen; a given file is watched through its directory")
    func newDirectoriesAndFiles() throws {
        try Self.withDirectory { directory in
            let listed = (directory as NSString).appendingPathComponent("listed.yaml")
            try "kind: Service\n".write(toFile: listed, atomically: true, encoding: .utf8)
            let watcher = ManifestWatcher(paths: [directory, listed])
            let sub = (directory as NSString).appendingPathComponent("sub")
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
            #expect(Self.nextEvents(watcher).any)
            let nested = (sub as NSString).appendingPathComponent("c.yaml")
            try "kind: Service\n".write(toFile: nested, atomically: true, encoding: .utf8)
            #expect(Self.nextEvents(watcher).completed.contains(nested))

            let fileOnly = ManifestWatcher(paths: [listed])
            try "kind: Secret\n".write(toFile: listed, atomically: true, encoding: .utf8)
            #expect(Self.nextEvents(fileOnly).completed.contains(listed))
        }
    }

    @Test("events name the files they touch, deleted ones included; a new directory makes them incomplete")
    func touchedFiles() throws {
        try Self.withDirectory { directory in
            let watcher = ManifestWatcher(paths: [directory])
            let file = (directory as NSString).appendingPathComponent("a.yaml")
            try "kind: Service\n".write(toFile: file, atomically: true, encoding: .utf8)
            let written = Self.nextEvents(watcher)
            #expect(written.touched.contains(file))
            #expect(written.named)

            try FileManager.default.removeItem(atPath: file)
            let deleted = Self.nextEvents(watcher)
            #expect(deleted.touched == [file])
            #expect(deleted.named)

            try FileManager.default.createDirectory(
                atPath: (directory as NSString).appendingPathComponent("sub"), withIntermediateDirectories: false)
            #expect(!Self.nextEvents(watcher).named)

            // A ConfigMap volume's update: a new `..data` link to the new version's folder, files linked through it.
            try FileManager.default.createSymbolicLink(
                atPath: (directory as NSString).appendingPathComponent("..data"), withDestinationPath: "sub")
            #expect(!Self.nextEvents(watcher).named)
        }
    }

    @Test("a file given by a path spelled otherwise is named as given")
    func givenSpelling() throws {
        try Self.withDirectory { directory in
            let given = directory + "//a.yaml"
            try "kind: Service\n".write(toFile: given, atomically: true, encoding: .utf8)
            let watcher = ManifestWatcher(paths: [given])
            try "kind: Secret\n".write(toFile: given, atomically: true, encoding: .utf8)
            let events = Self.nextEvents(watcher)
            #expect(events.completed.contains(given))
            #expect(events.touched.contains(given))
        }
    }

    @Test("a link to a directory is not watched through, as scans do not follow it")
    func linkedDirectories() throws {
        try Self.withDirectory { directory in
            let outside = directory + "-outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: outside) }
            let root = (directory as NSString).appendingPathComponent("root")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root + "/linked", withDestinationPath: outside)
            let watcher = ManifestWatcher(paths: [root])
            try "kind: Service\n".write(toFile: outside + "/g.yaml", atomically: true, encoding: .utf8)
            try "kind: Service\n".write(toFile: root + "/a.yaml", atomically: true, encoding: .utf8)
            var touched: Set<String> = []
            for _ in 0..<50 where !touched.contains(root + "/a.yaml") {
                touched.formUnion(watcher.wait(timeout: .milliseconds(100)).touched)
            }
            #expect(touched.contains(root + "/a.yaml"))
            #expect(!touched.contains(root + "/linked/g.yaml"))
        }
    }

    @Test("wake ends a wait at once")
    func wake() throws {
        try Self.withDirectory { directory in
            let watcher = ManifestWatcher(paths: [directory])
            watcher.wake()
            let clock = ContinuousClock()
            let start = clock.now
            let events = watcher.wait(timeout: .seconds(30))
            #expect(clock.now - start < .seconds(10))
            #expect(!events.any)
        }
    }
}
