import Foundation
import KubeModel
import Logging
import Routing
import ServiceLifecycle
import Synchronization

/// The standalone provider: watches manifest files and directories (inotify where available, and polling their
/// stamps), re-reads what changed, admits the objects through a ``ManifestStore`` and publishes a new snapshot when anything changed.
public final class FileProvider: ServiceLifecycle.Service, Sendable {
    /// The files and directories watched.
    public let paths: [String]
    /// How often the files are scanned without an event (a change inotify did not see completed is applied once it
    /// has held still for one interval).
    public let pollInterval: Duration
    private let publisher: SnapshotPublisher
    private let logger: Logger
    private let loaded = Mutex<(store: ManifestStore, stamps: [String: ManifestFiles.Stamp], state: ClusterState)?>(nil)

    /// Creates a provider for `paths`.
    public init(paths: [String], publisher: SnapshotPublisher, logger: Logger, pollInterval: Duration = .milliseconds(150)) {
        self.paths = paths
        self.publisher = publisher
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Loads the files once and returns the state (used by `lint` and the other one-shot commands).
    public static func load(paths: [String], now: Date = Date()) -> (ManifestStore, ClusterState) {
        var store = ManifestStore()
        for (path, _) in ManifestFiles.scan(paths).sorted(by: { $0.key < $1.key }) {
            if let text = ManifestFiles.read(path) { store.update(path: path, text: text) }
        }
        let state = store.admit(now: Self.timestamp(now))
        return (store, state)
    }

    /// Reads every file and publishes the first snapshot (called before the listeners start, so the first
    /// request already sees the routes). Idempotent.
    public func loadInitial() {
        guard loaded.withLock({ $0 == nil }) else { return }
        MemoryTrim.configure()
        let stamps = ManifestFiles.scan(paths)
        var store = ManifestStore()
        for path in stamps.keys.sorted() {
            if let text = ManifestFiles.read(path) { store.update(path: path, text: text) }
        }
        let state = store.admit(now: Self.timestamp(Date()))
        publisher.publish(state)
        loaded.withLock { $0 = (store, stamps, state) }
        logger.info("watching manifests", metadata: ["paths": "\(paths.joined(separator: ", "))", "files": "\(stamps.count)"])
    }

    /// The state of the initial load (empty before ``loadInitial()`` and once ``run()`` has taken the files over).
    public var initialState: ClusterState { loaded.withLock { $0?.state } ?? ClusterState() }

    /// Publishes the initial snapshot if not done yet, then watches the files until the service group shuts down
    /// (or the task is cancelled). The watching runs on a thread of its own: it blocks in `poll(2)` between changes.
    public func run() async throws {
        loadInitial()
        guard loaded.withLock({ $0 != nil }) else { return }
        let watcher = ManifestWatcher(paths: paths)
        let stop = StopRequest(watcher: watcher)
        logger.debug("file watching", metadata: ["inotify": "\(watcher.isWatching)"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        watch(watcher: watcher, stop: stop)
                        continuation.resume()
                    }
                    thread.name = "gatehouse-manifests"
                    thread.start()
                }
            } onCancel: {
                stop.stop()
            }
        } onGracefulShutdown: {
            stop.stop()
        }
    }

    /// Stops the watch loop from another task.
    private final class StopRequest: Sendable {
        private let flag = Atomic(false)
        private let watcher: ManifestWatcher

        init(watcher: ManifestWatcher) { self.watcher = watcher }

        /// Whether the loop should end.
        var isStopped: Bool { flag.load(ordering: .acquiring) }

        /// Asks the loop to end and wakes it.
        func stop() {
            flag.store(true, ordering: .releasing)
            watcher.wake()
        }
    }

    /// The watch loop: wait for an event or the poll interval, scan the stamps, re-read what changed, admit and
    /// publish. A changed file is read at once when inotify saw it closed after writing (or moved into place),
    /// else once its stamp has held still for one poll, so a file being rewritten in place (truncated, then
    /// written) is never read half-way; deletions apply at once.
    private func watch(watcher: ManifestWatcher, stop: StopRequest) {
        // Take the store over: a copy left behind would make its first change copy every table it holds.
        var store = ManifestStore()
        var stamps: [String: ManifestFiles.Stamp] = [:]
        let found = loaded.withLock { value -> Bool in
            guard var current = value.take() else { return false }
            swap(&store, &current.store)
            swap(&stamps, &current.stamps)
            value = (ManifestStore(), [:], ClusterState())
            return true
        }
        guard found else { return }
        var pending: [String: ManifestFiles.Stamp] = [:]
        var trimDue = true
        var pollsSinceScan = 0
        while !stop.isStopped {
            let events = watcher.wait(timeout: pollInterval)
            if stop.isStopped { return }
            if trimDue && !events.any {
                // The loops have swapped in the new snapshot by now (one quiet poll later): the old one is freed.
                MemoryTrim.release()
                trimDue = false
            }
            // With inotify, the loop looks at the files the events name and the files waiting to hold still; at
            // every file (a `stat` call each) when the events do not name every change, and as a safety net for
            // missed events every tenth poll per thousand files, on a poll without events so as not to delay a
            // change (unless events keep coming for four times as long). Without inotify, every poll scans.
            pollsSinceScan += 1
            let rescanPolls = Self.pollsPerScan * max(1, stamps.count / 1000)
            let rescanDue = pollsSinceScan >= (events.any ? 4 : 1) * rescanPolls
            let scanAll = !watcher.isWatching || !events.named || rescanDue
            guard scanAll || !events.touched.isEmpty || !pending.isEmpty else { continue }
            // `fresh`: files found new or changed (with their stamps); `gone`: known or waiting files not found.
            var fresh: [String: ManifestFiles.Stamp] = [:]
            var gone: [String] = []
            if scanAll {
                pollsSinceScan = 0
                // Compared while walking, so that a scan of 10,000 unchanged files builds no second listing.
                var known = 0
                ManifestFiles.scan(paths) { path, stamp in
                    if let stamped = stamps[path] {
                        known += 1
                        if stamped == stamp { return }
                    }
                    fresh[path] = stamp
                }
                if known < stamps.count {
                    let present = ManifestFiles.stamps(of: stamps.keys, under: paths)
                    gone = stamps.keys.filter { present[$0] == nil }
                }
                gone += pending.keys.filter { stamps[$0] == nil && fresh[$0] == nil }
            } else {
                let lookedAt = events.touched.union(pending.keys)
                fresh = ManifestFiles.stamps(of: lookedAt, under: paths)
                gone = lookedAt.filter { fresh[$0] == nil }
            }
            var changed = false
            for (path, stamp) in fresh where stamps[path] != stamp {
                guard events.completed.contains(path) || pending[path] == stamp else {
                    pending[path] = stamp
                    continue
                }
                pending[path] = nil
                stamps[path] = stamp
                if let text = ManifestFiles.read(path) {
                    store.update(path: path, text: text)
                    changed = true
                    logger.info("manifest changed", metadata: ["file": "\(path)"])
                }
            }
            for path in gone {
                pending[path] = nil
                guard stamps.removeValue(forKey: path) != nil else { continue }
                store.remove(path: path)
                changed = true
                logger.info("manifest removed", metadata: ["file": "\(path)"])
            }
            guard changed else { continue }
            publisher.publish(store.admit(now: Self.timestamp(Date())))
            trimDue = true
        }
    }

    /// How many polls pass between scans of every file, per thousand files, while inotify reports changes.
    static let pollsPerScan = 10

    /// RFC 3339 UTC time with second precision, as the API server writes creationTimestamp.
    static func timestamp(_ date: Date) -> String {
        CivilTime(epochSeconds: Int(date.timeIntervalSince1970)).rfc3339
    }
}
