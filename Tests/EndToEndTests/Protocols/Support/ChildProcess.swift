import Foundation

/// A long-running child process (a backend, an interactive client, the proxy itself): its standard output and
/// error are collected as they arrive, lines can be awaited, and lines can be written to its standard input.
/// Stopped (SIGTERM, then SIGKILL after a bound) when released.
final class ChildProcess: @unchecked Sendable {
    // Safety: `outputText` and `errorText` are guarded by `lock`; the rest is set once in init.

    /// The process.
    let process = Process()
    /// A name for failure messages.
    let name: String
    private let outputPipe = Pipe()
    private let errorPipe = Pipe()
    private let inputPipe = Pipe()
    private let lock = NSLock()
    private var outputText = ""
    private var errorText = ""

    /// Starts `executable` (looked up on `PATH`) with `arguments`.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        guard let path = Tool.path(executable) else { throw ToolMissing(name: executable) }
        name = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments.prefix(2)).joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = inputPipe
        outputPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.outputText += String(decoding: data, as: UTF8.self) }
        }
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.errorText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// Everything written to standard output so far.
    var output: String { lock.withLock { outputText } }

    /// Everything written to standard error so far.
    var errors: String { lock.withLock { errorText } }

    /// Whether the process is still running.
    var isRunning: Bool { process.isRunning }

    /// Waits (bounded) for a standard output line starting with `prefix` and returns the rest of the first such line.
    func line(startingWith prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        var found: String?
        try await waitFor("\(name) to print \"\(prefix)…\"; stderr: \(errors.suffix(2000))", timeout: timeout) {
            for line in output.split(separator: "\n") where line.hasPrefix(prefix) {
                found = String(line.dropFirst(prefix.count))
                return true
            }
            if !isRunning { throw ChildExited(name: name, output: output, errors: errors) }
            return false
        }
        return found ?? ""
    }

    /// All standard output lines starting with `prefix` (without it).
    func lines(startingWith prefix: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Writes `line` and a newline to the process's standard input.
    func send(_ line: String) throws {
        try inputPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Waits (bounded) for the process to exit and returns its status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await waitFor("\(name) to exit; stderr: \(errors.suffix(2000))", timeout: timeout, interval: .milliseconds(20)) {
            !process.isRunning
        }
        return process.terminationStatus
    }

    /// Sends SIGTERM.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Stops the process: SIGTERM, then SIGKILL when it has not exited after a bound.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }  // bounded wait for the exit
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}

/// A child process ended before printing what was waited for.
struct ChildExited: Error, CustomStringConvertible {
    /// Which process.
    var name: String
    /// Its standard output.
    var output: String
    /// Its standard error.
    var errors: String

    var description: String { "\(name) exited early; stdout: \(output.suffix(2000)); stderr: \(errors.suffix(4000))" }
}
