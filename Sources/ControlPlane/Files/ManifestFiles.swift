import Foundation

/// Finds and reads manifest files: the given files, and every `.yaml`, `.yml` and `.json` under given
/// directories (hidden files and folders skipped).
public enum ManifestFiles {
    /// What identifies a version of a file without reading it.
    public struct Stamp: Hashable, Sendable {
        var modified: Int
        var changed: Int
        var size: Int
        var inode: UInt64
    }

    /// Every manifest file under `paths`, with its stamp: a path naming a file is taken whatever its name; under a
    /// directory, every `.yaml`, `.yml` and `.json` file at any depth, hidden entries (names starting with `.`)
    /// skipped. Links to files count (a ConfigMap volume links each key's file into the mount); links to
    /// directories are not followed. Missing paths are skipped. Read with `readdir` and one `stat` per manifest
    /// file (with 10,000 files, 10,000 `stat` calls: the watch loop scans seldom).
    public static func scan(_ paths: [String]) -> [String: Stamp] {
        var found: [String: Stamp] = [:]
        scan(paths) { found[$0] = $1 }
        return found
    }

    /// Calls `visit` with each file ``scan(_:)`` finds and its stamp, in no particular order.
    static func scan(_ paths: [String], visit: (String, Stamp) -> Void) {
        for path in paths {
            guard let (stamp, directory) = status(path) else { continue }
            if directory { collect(under: path, visit: visit) } else { visit(path, stamp) }
        }
    }

    /// Calls `body` with every non-hidden directory under `root` (not through links to directories), as scans
    /// descend into them: the directories a watcher of `root` watches.
    static func forEachDirectory(under root: String, _ body: (String) -> Void) {
        collect(under: root, files: false, visit: { _, _ in }, entering: body)
    }

    /// Visits the manifest files under `directory` (when `files`) and calls `entering` with each subdirectory
    /// before descending into it.
    private static func collect(
        under directory: String, files: Bool = true, visit: (String, Stamp) -> Void, entering: (String) -> Void = { _ in }
    ) {
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }
            let full = join(directory, name)
            let type = entry.pointee.d_type
            if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectoryItself(full)) {
                entering(full)
                collect(under: full, files: files, visit: visit, entering: entering)
                continue
            }
            guard files, hasManifestName(name), let (stamp, directory) = status(full), !directory else { continue }
            visit(full, stamp)
        }
    }

    /// The stamps of those `candidates` that a scan of `paths` finds, as it finds them (missing files, directories
    /// and paths a scan skips are left out): what changed among files an inotify event named, without a scan.
    static func stamps(of candidates: some Sequence<String>, under paths: [String]) -> [String: Stamp] {
        var found: [String: Stamp] = [:]
        for path in candidates where isInScope(path, of: paths) {
            if let (stamp, directory) = status(path), !directory { found[path] = stamp }
        }
        return found
    }

    /// Whether a scan of `paths` looks at `path`: a path given, or a manifest name under a directory given with no
    /// hidden component on the way.
    private static func isInScope(_ path: String, of paths: [String]) -> Bool {
        paths.contains { root in
            if path == root { return true }
            let prefix = join(root, "")
            guard path.hasPrefix(prefix) else { return false }
            let relative = path.dropFirst(prefix.count).split(separator: "/")
            return !relative.contains { $0.hasPrefix(".") } && relative.last.map { hasManifestName(String($0)) } == true
        }
    }

    /// Whether a file name is a manifest's: `.yaml`, `.yml` or `.json`, in any case.
    private static func hasManifestName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")
    }

    /// `name` under `directory`, spelled as scans and the watcher spell it (`""` is the current directory).
    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The file's contents as UTF-8 text, nil when unreadable.
    public static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The stamp of a path and whether it is a directory (following symlinks); nil when it does not exist.
    private static func status(_ path: String) -> (stamp: Stamp, directory: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let stamp = Stamp(
            modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
            changed: Int(info.st_ctim.tv_sec) * 1_000_000_000 + Int(info.st_ctim.tv_nsec),
            size: Int(info.st_size),
            inode: UInt64(info.st_ino)
        )
        return (stamp, (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Whether the path is a directory (following symlinks).
    static func isDirectory(_ path: String) -> Bool {
        status(path)?.directory ?? false
    }

    /// Whether the path is a directory itself, not a link to one.
    private static func isDirectoryItself(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
