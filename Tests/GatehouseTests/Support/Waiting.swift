import Foundation

/// A condition that did not become true, or an operation that did not finish, within its bound.
struct TimedOut: Error, CustomStringConvertible {
    /// What was waited for.
    var what: String
    /// How long.
    var after: Duration

    var description: String { "timed out after \(after) waiting for \(what)" }
}

/// Polls `condition` every `interval` until it holds; throws ``TimedOut`` after `timeout`.
///
/// This is how the live tests wait for an effect they cannot be told about (a manifest change taking effect, a
/// request reaching the backend): never a fixed sleep, always a condition with a bound.
func waitUntil(
    _ what: String,
    timeout: Duration = .seconds(10),
    interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return }
        if clock.now >= deadline { throw TimedOut(what: what, after: timeout) }
        try await Task.sleep(for: interval)
    }
}

/// Runs `operation`, failing with ``TimedOut`` (and cancelling it) if it takes longer than `timeout`.
func withTimeout<T: Sendable>(
    _ what: String,
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(what: what, after: timeout)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimedOut(what: what, after: timeout) }
        return first
    }
}

/// This process's memory, from `/proc/self/status` (Linux). The proxy under test runs in this process, so its
/// buffers show up here.
enum ProcessMemory {
    /// The resident set size in KiB (`VmRSS`), or nil where unknown.
    static func residentKiB() -> Int? { field("VmRSS:") }

    /// The peak resident set size in KiB (`VmHWM`) since start or the last ``resetPeak()``, or nil where unknown.
    static func peakKiB() -> Int? { field("VmHWM:") }

    /// Resets `VmHWM` to the current resident size (writes `5` to `/proc/self/clear_refs`); false when not possible.
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// One `kB` field of `/proc/self/status`.
    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }
}
