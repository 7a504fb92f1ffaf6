import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for manifest files to change: with inotify on Linux (the watched directories and their subdirectories, and
/// the directories of watched files), with a timeout either way, so the caller's periodic scan stays the fallback
/// (file systems without inotify events, a queue overflow, a directory replaced). ``wake()`` ends a wait early from
/// another thread. One thread calls ``wait(timeout:)``.
final class ManifestWatcher: @unchecked Sendable {
    // Safety: `watches`, `inotifyFD` and `rewatch` are used only by the one thread that calls `wait`; `wake()` only
    // writes to the pipe, whose descriptors never change after init.

    /// What one wait saw.
    struct Events: Equatable {
        /// Files written and closed, or moved into place, with no write after that in this batch: complete files.
        var completed: Set<String> = []
        /// Every file an event named: written, created, moved in or out, deleted, its attributes changed.
        var touched: Set<String> = []
        /// Whether ``touched`` names every file that may have changed. False after lost events (a queue overflow, a
        /// watch gone), when a directory appeared, moved or went away (its files are not named one by one), or when
        /// an entry named `..…` changed (a ConfigMap volume's links): the caller then scans everything.
        var named = true
        /// Whether any event arrived.
        var any = false
    }

    /// The paths given by the user (files or directories).
    let paths: [String]
    /// Files given by a path spelled otherwise than events spell them (their directory's path joined with their
    /// name: `a//b.yaml` is `a/b.yaml`), by the events' spelling: events name them as given.
    private let givenSpelling: [String: String]
    /// The inotify descriptor, -1 when inotify is not available (the caller then only polls).
    private var inotifyFD: Int32 = -1
    /// Watched directory by watch descriptor.
    private var watches: [Int32: String] = [:]
    /// Whether watches must be added again (a watched directory went away, or events were lost).
    private var rewatch = false
    /// The wake pipe: read end, write end.
    private let wakePipe: (read: Int32, write: Int32)

    /// Watches `paths` (files or directories); falls back to timeouts only when inotify is unavailable.
    init(paths: [String]) {
        self.paths = paths
        var spelling: [String: String] = [:]
        for path in paths where !ManifestFiles.isDirectory(path) {
            let file = path as NSString
            let spelled = ManifestFiles.join(file.deletingLastPathComponent, file.lastPathComponent)
            if spelled != path { spelling[spelled] = path }
        }
        givenSpelling = spelling
        var ends: [Int32] = [-1, -1]
        #if canImport(Glibc)
            if pipe(&ends) == 0 {
                for end in ends {
                    _ = fcntl(end, F_SETFL, O_NONBLOCK)
                    _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                }
            }
            inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        #endif
        wakePipe = (ends[0], ends[1])
        addWatches()
    }

    deinit {
        #if canImport(Glibc)
            for descriptor in [inotifyFD, wakePipe.read, wakePipe.write] where descriptor >= 0 { close(descriptor) }
        #endif
    }

    /// Whether inotify events are being delivered (false: the caller's scans are the only way changes are seen).
    var isWatching: Bool { inotifyFD >= 0 && !watches.isEmpty }

    /// Ends the current or next ``wait(timeout:)`` at once (callable from any thread).
    func wake() {
        #if canImport(Glibc)
            var byte: UInt8 = 1
            _ = write(wakePipe.write, &byte, 1)
        #endif
    }

    /// Waits until an event arrives, ``wake()`` is called or `timeout` passes, and returns what was seen.
    func wait(timeout: Duration) -> Events {
        #if canImport(Glibc)
            if rewatch { addWatches() }
            var descriptors = [pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
            if inotifyFD >= 0 { descriptors.append(pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)) }
            let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
            _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            var scratch = [UInt8](repeating: 0, count: 64)
            while read(wakePipe.read, &scratch, scratch.count) > 0 {}
            return readEvents()
        #else
            Thread.sleep(forTimeInterval: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
            return Events()
        #endif
    }

    /// Drains the pending inotify events.
    private func readEvents() -> Events {
        var events = Events()
        #if canImport(Glibc)
            guard inotifyFD >= 0 else { return events }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                events.any = true
                buffer.withUnsafeBytes { bytes in
                    var offset = 0
                    let header = MemoryLayout<inotify_event>.size
                    while offset + header <= count {
                        let descriptor = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                        let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                        let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                        let nameBytes = bytes[(offset + header)..<min(count, offset + header + length)]
                        let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                        offset += header + length
                        handle(descriptor: descriptor, mask: mask, name: name, events: &events)
                    }
                }
            }
        #endif
        return events
    }

    #if canImport(Glibc)
        /// Applies one event: complete files, files being written again, new directories, lost watches.
        private func handle(descriptor: Int32, mask: UInt32, name: String, events: inout Events) {
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                rewatch = true
                events.named = false
                return
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                watches[descriptor] = nil
                rewatch = true
                events.named = false
                return
            }
            guard let directory = watches[descriptor], !name.isEmpty else { return }
            let joined = ManifestFiles.join(directory, name)
            let path = givenSpelling[joined] ?? joined
            if mask & UInt32(IN_ISDIR) != 0 {
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.hasPrefix(".") { watchTree(path) }
                events.named = false
                return
            }
            // Kubernetes' volume writer swaps a `..data` link to a new `..<timestamp>` folder: the files linked
            // through it change without an event of their own.
            if name.hasPrefix("..") { events.named = false }
            events.touched.insert(path)
            if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                events.completed.insert(path)
            } else if mask & UInt32(IN_MODIFY | IN_CREATE) != 0 {
                events.completed.remove(path)
            }
        }

        /// Watches the given directories and their subdirectories (hidden ones skipped), and the directories of the
        /// given files.
        private func addWatches() {
            rewatch = false
            guard inotifyFD >= 0 else { return }
            for path in paths {
                if ManifestFiles.isDirectory(path) {
                    watchTree(path)
                } else {
                    let parent = (path as NSString).deletingLastPathComponent
                    watch(parent)
                }
            }
        }

        /// Watches `directory` and every non-hidden directory under it, not through links to directories (as scans).
        private func watchTree(_ directory: String) {
            watch(directory)
            ManifestFiles.forEachDirectory(under: directory) { watch($0) }
        }

        /// Watches one directory (`""` is the current one) for files appearing, changing and going away.
        private func watch(_ directory: String) {
            let mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF
            let descriptor = inotify_add_watch(inotifyFD, directory.isEmpty ? "." : directory, UInt32(mask))
            if descriptor >= 0 { watches[descriptor] = directory }
        }
    #endif
}
