import Foundation
import Synchronization

/// What a finished command produced.
struct ToolResult: Sendable {
    /// The exit status (or the signal number when killed).
    var status: Int32
    /// Standard output, as bytes.
    var outputBytes: [UInt8]
    /// Standard error, as text.
    var errors: String

    /// Standard output as text (lossy UTF-8).
    var output: String { String(decoding: outputBytes, as: UTF8.self) }
}

/// A command that did not finish within its bound.
struct ToolTimedOut: Error, CustomStringConvertible {
    /// The command line.
    var command: String
    /// The bound.
    var after: Duration

    var description: String { "\(command) did not finish within \(after)" }
}

/// Runs command-line tools (openssl, curl, h2load, python) to completion, with a bound on their run time.
enum Tool {
    /// The absolute path of `name` found on `PATH` (or `name` itself when it is a path).
    static func path(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `name` (looked up on `PATH`) with `arguments`; `input` is its standard input. Standard output and
    /// error go to temporary files (no pipe can fill up); the process is killed after `timeout`.
    static func run(
        _ name: String,
        _ arguments: [String],
        input: [UInt8] = [],
        timeout: Duration = .seconds(60),
        environment: [String: String]? = nil
    ) async throws -> ToolResult {
        guard let executable = path(name) else { throw ToolMissing(name: name) }
        let directory = try scratchDirectory("tool")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("stdin")
        let outputFile = directory.appendingPathComponent("stdout")
        let errorFile = directory.appendingPathComponent("stderr")
        try Data(input).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let inputHandle = try FileHandle(forReadingFrom: inputFile)
        let outputHandle = try FileHandle(forWritingTo: outputFile)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer {
            try? inputHandle.close()
            try? outputHandle.close()
            try? errorHandle.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = inputHandle
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        let finished = Flag()
        let timedOut = Flag()
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                finished.set()
                continuation.resume(returning: process.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            Task.detached {
                try? await Task.sleep(for: timeout)
                if !finished.isSet {
                    timedOut.set()
                    kill(pid, SIGKILL)
                }
            }
        }
        if timedOut.isSet {
            throw ToolTimedOut(command: ([name] + arguments).joined(separator: " "), after: timeout)
        }
        return ToolResult(
            status: status,
            outputBytes: [UInt8]((try? Data(contentsOf: outputFile)) ?? Data()),
            errors: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        )
    }

    /// Runs `name` and fails unless it exits 0; returns its standard output.
    @discardableResult
    static func check(_ name: String, _ arguments: [String], input: [UInt8] = [], timeout: Duration = .seconds(60)) async throws -> String {
        let result = try await run(name, arguments, input: input, timeout: timeout)
        guard result.status == 0 else {
            throw ToolFailed(
                command: ([name] + arguments).joined(separator: " "), status: result.status, errors: result.errors + result.output)
        }
        return result.output
    }
}

/// A flag set once, readable from any thread.
final class Flag: Sendable {
    private let value = Atomic(false)

    /// Sets the flag.
    func set() { value.store(true, ordering: .releasing) }

    /// Whether the flag was set.
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A tool that is not installed.
struct ToolMissing: Error, CustomStringConvertible {
    /// Its name.
    var name: String
    var description: String { "\(name) is not installed (.ci/run installs it)" }
}

/// A tool that exited with an error.
struct ToolFailed: Error, CustomStringConvertible {
    /// The command line.
    var command: String
    /// Its exit status.
    var status: Int32
    /// What it printed.
    var errors: String
    var description: String { "\(command) exited \(status): \(errors)" }
}

/// A fresh directory under the system temporary directory.
func scratchDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("gatehouse-\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A condition that did not hold within its bound.
struct ConditionTimedOut: Error, CustomStringConvertible {
    /// What was waited for.
    var what: String
    /// The bound.
    var after: Duration
    /// The last thing observed, for the failure message.
    var last: String

    var description: String { "timed out after \(after) waiting for \(what) (last: \(last))" }
}

/// Polls `condition` every `interval` until it returns true; throws ``ConditionTimedOut`` after `timeout`.
/// This is how the tests wait for effects they cannot be told about: a condition with a bound, never a fixed sleep.
func waitFor(
    _ what: String,
    timeout: Duration = .seconds(15),
    interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var last = ""
    while true {
        do {
            if try await condition() { return }
        } catch {
            last = "\(error)"
        }
        if clock.now >= deadline { throw ConditionTimedOut(what: what, after: timeout, last: last) }
        try await Task.sleep(for: interval)
    }
}
