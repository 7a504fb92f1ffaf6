import Foundation
import Testing

@testable import ControlPlane

/// Which files `ManifestFiles.scan` finds under a directory tree laid out as users and Kubernetes lay them out.
struct ManifestFilesTests {
    /// A fresh directory under the temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "gatehouse-scan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(
        "a scan finds .yaml, .yml and .json files at any depth, follows links to files, and skips hidden entries, other names and links to directories"
    )
    func scanFindsManifestFiles() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = FileManager.default
        func write(_ relative: String) throws {
            let path = root + "/" + relative
            try files.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("kind: Service\n".utf8).write(to: URL(fileURLWithPath: path))
        }
        for relative in [
            "a.yaml", "b.YML", "c.json", "notes.txt", "nested/deeper/d.yaml", ".hidden.yaml", ".git/e.yaml",
            "configmap/..2026_11_27/f.yaml", "outside/g.yaml",
        ] {
            try write(relative)
        }
        try files.createDirectory(atPath: root + "/folder.yaml", withIntermediateDirectories: true)
        // A ConfigMap volume: each key is a link through the hidden `..data` link to the current version's folder.
        try files.createSymbolicLink(atPath: root + "/configmap/..data", withDestinationPath: "..2026_11_27")
        try files.createSymbolicLink(atPath: root + "/configmap/f.yaml", withDestinationPath: "..data/f.yaml")
        // A link to a directory is not followed (its files would be found twice, or loop).
        try files.createSymbolicLink(atPath: root + "/linked", withDestinationPath: root + "/outside")
        try files.createSymbolicLink(atPath: root + "/dangling.yaml", withDestinationPath: root + "/missing.yaml")

        let found = ManifestFiles.scan([root])
        let expected = ["a.yaml", "b.YML", "c.json", "nested/deeper/d.yaml", "configmap/f.yaml", "outside/g.yaml"].map { root + "/" + $0 }
        #expect(Set(found.keys) == Set(expected))

        // A file named directly is taken whatever its name; a missing path is skipped; a trailing slash is fine.
        let direct = ManifestFiles.scan([root + "/notes.txt", root + "/absent", root + "/nested/"])
        #expect(Set(direct.keys) == [root + "/notes.txt", root + "/nested/deeper/d.yaml"])

        // Looking at named files only finds what a scan finds among them, stamped alike.
        let candidates = [
            "a.yaml", "notes.txt", ".hidden.yaml", ".git/e.yaml", "folder.yaml", "configmap/f.yaml", "configmap/..data/f.yaml",
            "missing.yaml", "dangling.yaml", "nested/deeper/d.yaml",
        ].map { root + "/" + $0 }
        let named = ManifestFiles.stamps(of: candidates + ["/elsewhere/x.yaml"], under: [root])
        #expect(Set(named.keys) == Set(["a.yaml", "configmap/f.yaml", "nested/deeper/d.yaml"].map { root + "/" + $0 }))
        for (path, stamp) in named { #expect(found[path] == stamp) }
        // Given a single file, only that file is looked at.
        #expect(Set(ManifestFiles.stamps(of: candidates, under: [root + "/notes.txt"]).keys) == [root + "/notes.txt"])
    }

    @Test("a file's stamp changes when it is rewritten")
    func stampFollowsRewrites() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/x.yaml"
        try Data("a: 1\n".utf8).write(to: URL(fileURLWithPath: path))
        let before = try #require(ManifestFiles.scan([root])[path])
        try Data("a: 22\n".utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
        let after = try #require(ManifestFiles.scan([root])[path])
        #expect(before != after)
    }
}
