import Foundation

/// Runs the built `gatehouse` binary as a child process and reads the ports it reports in its log.
final class GatehouseProcess: @unchecked Sendable {
    // Safety: `log` is guarded by `lock`; the rest is set once in init.

    let process = Process()
    private let errorPipe = Pipe()
    private let lock = NSLock()
    private var log = ""

    /// The built binary: `$GATEHOUSE_BINARY`, else `gatehouse` beside the test bundle.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GATEHOUSE_BINARY"] { return URL(fileURLWithPath: path) }
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testExecutable.deletingLastPathComponent().appendingPathComponent("gatehouse")
    }

    /// The repository root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Starts `gatehouse` with `arguments`; stderr is collected.
    init(_ arguments: [String]) throws {
        process.executableURL = Self.binary
        process.arguments = arguments
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.log += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
    }

    /// Everything written to stderr so far.
    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Waits (bounded) until the log reports the listener on `protocol` and returns its port.
    func port(of kind: String, timeout: TimeInterval = 60) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for line in output.split(separator: "\n") where line.contains(kind) {
                if let range = line.range(of: #"address=[^ ]*:(\d+)"#, options: .regularExpression),
                    let port = Int(line[range].split(separator: ":").last ?? "")
                {
                    return port
                }
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)  // polling the log for a condition, bounded by `deadline`
        }
        throw GatehouseProcessError.noPort(kind: kind, log: output)
    }

    /// Sends SIGTERM and waits (bounded) for the exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}

/// Failures of the process harness.
enum GatehouseProcessError: Error {
    case noPort(kind: String, log: String)
    case notReady(log: String)
}

/// Runs a command and returns its standard output (with its standard error when `withErrors`) and exit status.
@discardableResult
func run(
    _ executable: String, _ arguments: [String], input: Data? = nil, withErrors: Bool = false
) throws -> (output: String, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = withErrors ? out : FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
}
