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

    /// Every manifest file under `paths`, sorted, with its stamp. Missing paths are skipped.
    public static func scan(_ paths: [String]) -> [String: Stamp] {
        var found: [String: Stamp] = [:]
        for path in paths {
            guard let stamp = fileStamp(path) else { continue }
            if !isDirectory(path) {
                found[path] = stamp
                continue
            }
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { continue }
            while let relative = enumerator.nextObject() as? String {
                let components = relative.split(separator: "/")
                if components.contains(where: { $0.hasPrefix(".") || $0.hasPrefix("..") }) { continue }
                let lower = relative.lowercased()
                guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") else { continue }
                let full = (path as NSString).appendingPathComponent(relative)
                if isDirectory(full) { continue }
                if let value = fileStamp(full) { found[full] = value }
            }
        }
        return found
    }

    /// The file's contents as UTF-8 text, nil when unreadable.
    public static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The stamp of a path (following symlinks), nil when it does not exist.
    static func fileStamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(
            modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
            changed: Int(info.st_ctim.tv_sec) * 1_000_000_000 + Int(info.st_ctim.tv_nsec),
            size: Int(info.st_size),
            inode: UInt64(info.st_ino)
        )
    }

    /// Whether the path is a directory (following symlinks).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
