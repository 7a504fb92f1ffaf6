import Foundation

/// The built `gatehouse serve` on a directory of manifests, on free ports of 127.0.0.1, ready to serve.
final class RunningGatehouse: @unchecked Sendable {
    // Safety: immutable after `start`.

    /// The process.
    let process: ChildProcess
    /// The manifests directory it watches.
    let manifests: URL
    /// The plain HTTP port.
    let httpPort: Int
    /// The HTTPS port.
    let httpsPort: Int
    /// The admin port.
    let adminPort: Int

    private init(process: ChildProcess, manifests: URL, httpPort: Int, httpsPort: Int, adminPort: Int) {
        self.process = process
        self.manifests = manifests
        self.httpPort = httpPort
        self.httpsPort = httpsPort
        self.adminPort = adminPort
    }

    /// Starts `gatehouse serve --manifests <manifests>` with `arguments` added and waits until it is ready.
    static func start(manifests: URL, _ arguments: [String] = []) async throws -> RunningGatehouse {
        let process = try ChildProcess(
            GatehouseProcess.binary.path,
            [
                "serve", "--manifests", manifests.path, "--bind", "127.0.0.1", "--http-port", "0", "--https-port", "0",
                "--admin-port", "0", "--threads", "2",
            ] + arguments
        )
        let gatehouse = RunningGatehouse(
            process: process,
            manifests: manifests,
            httpPort: try await port(of: process, matching: "protocol=http "),
            httpsPort: try await port(of: process, matching: "protocol=https"),
            adminPort: try await port(of: process, matching: "admin")
        )
        try await waitFor("gatehouse to be ready; log: \(process.errors.suffix(3000))", timeout: .seconds(30)) {
            try await gatehouse.admin("/readyz").status == 200
        }
        return gatehouse
    }

    /// Reads a listening port from the log line containing `marker` (`address=HOST:PORT`).
    private static func port(of process: ChildProcess, matching marker: String) async throws -> Int {
        var port: Int?
        try await waitFor("gatehouse to log its \(marker) port; log: \(process.errors.suffix(3000))", timeout: .seconds(60)) {
            for line in (process.errors + " ").split(separator: "\n") where line.contains("listening") && (line + " ").contains(marker) {
                if let range = line.range(of: #"address=[^ ]*:(\d+)"#, options: .regularExpression),
                    let value = Int(line[range].split(separator: ":").last ?? "")
                {
                    port = value
                    return true
                }
            }
            if !process.isRunning { throw ChildExited(name: "gatehouse", output: process.output, errors: process.errors) }
            return false
        }
        return port ?? 0
    }

    /// The log so far.
    var log: String { process.errors }

    /// GET on the admin port: status and body.
    func admin(_ path: String) async throws -> (status: Int, body: String) {
        let result = try await Tool.run(
            "curl",
            ["-s", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", "http://127.0.0.1:\(adminPort)\(path)"],
            timeout: .seconds(20)
        )
        let text = result.output
        guard let newline = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: newline)...]) ?? 0, String(text[..<newline]))
    }

    /// A counter or gauge from the admin `/metrics`; nil when absent (or not a number).
    func metric(_ name: String) async throws -> Int? {
        let metrics = try await admin("/metrics").body
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Int(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    /// The version of the snapshot in use (`gatehouse_snapshot_version`).
    func snapshotVersion() async throws -> Int {
        try await metric("gatehouse_snapshot_version") ?? 0
    }

    /// Writes (atomically) the manifest file `name` in the watched directory.
    func write(_ name: String, _ yaml: String) throws {
        try Data(yaml.utf8).write(to: manifests.appendingPathComponent(name), options: .atomic)
    }

    /// Writes the manifest file `name` and waits (bounded) until a snapshot newer than the current one is live.
    func rewrite(_ name: String, _ yaml: String) async throws {
        let before = try await snapshotVersion()
        try write(name, yaml)
        try await waitFor("a snapshot newer than \(before)", timeout: .seconds(15)) { try await snapshotVersion() > before }
    }

    /// Stops the process (SIGTERM, bounded).
    func stop() { process.stop() }
}

/// A `gatehouse echo` backend on a free port of 127.0.0.1 (answers with JSON describing the request).
final class EchoBackend: @unchecked Sendable {
    // Safety: immutable after `start`.

    /// The process.
    let process: ChildProcess
    /// Its port.
    let port: Int

    private init(process: ChildProcess, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts an echo backend reporting `name`.
    static func start(name: String) async throws -> EchoBackend {
        let process = try ChildProcess(GatehouseProcess.binary.path, ["echo", "--port", "0", "--name", name, "--bind", "127.0.0.1"])
        var port = 0
        try await waitFor("echo backend \(name) to listen", timeout: .seconds(30)) {
            if let range = process.errors.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(process.errors[range].split(separator: ":").last ?? "") ?? 0
                return true
            }
            if !process.isRunning { throw ChildExited(name: "echo", output: process.output, errors: process.errors) }
            return false
        }
        return EchoBackend(process: process, port: port)
    }
}

/// Test scripts and data outside the Swift targets.
enum ProtocolFixtures {
    /// `Tests/Fixtures/protocols/<name>`.
    static func path(_ name: String) -> String {
        GatehouseProcess.repository.appendingPathComponent("Tests/Fixtures/protocols/\(name)").path
    }

    /// The Python interpreter the scripts run with (`$GATEHOUSE_PYTHON`, else `python3` on `PATH`).
    static var python: String { ProcessInfo.processInfo.environment["GATEHOUSE_PYTHON"] ?? "python3" }
}
