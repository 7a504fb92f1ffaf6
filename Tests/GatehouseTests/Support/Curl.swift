import Foundation

/// One response head as curl dumped it (`--dump-header`).
struct CurlHead: Sendable {
    /// The status code.
    var status: Int
    /// The header fields in order, as (name, value).
    var fields: [(name: String, value: String)]

    /// The first value of header `name` (case-insensitive), nil when absent.
    func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether any header is named `name` (case-insensitive).
    func has(_ name: String) -> Bool { header(name) != nil }
}

/// What one curl run produced.
struct CurlReply: Sendable {
    /// curl's exit status (0 = every transfer succeeded; 7 = could not connect).
    var exitCode: Int32
    /// curl's standard output: the `--write-out` text when the bodies go to files.
    var output: String
    /// Every response head received, interim (1xx) ones included, in order.
    var heads: [CurlHead]
    /// Each URL's body (empty when bodies were discarded).
    var bodies: [[UInt8]]

    /// The final (non-1xx) response heads, one per completed transfer.
    var finals: [CurlHead] { heads.filter { !(100..<200).contains($0.status) } }

    /// The last final response head.
    var last: CurlHead? { finals.last }

    /// The `--write-out` output split into lines.
    var lines: [String] { output.split(separator: "\n").map(String.init) }
}

/// Runs the system curl the way a user would, against the proxy on loopback.
enum Curl {
    /// Runs curl on `urls` with `arguments`: heads are dumped and parsed, each body goes to its own file (or to
    /// /dev/null when `keepBodies` is false), standard output is captured. Fails the run after `maxTime`.
    static func run(
        _ arguments: [String],
        urls: [String],
        keepBodies: Bool = true,
        maxTime: Int = 30
    ) async throws -> CurlReply {
        let directory = try temporaryDirectory("curl")
        defer { try? FileManager.default.removeItem(at: directory) }
        let headsFile = directory.appendingPathComponent("heads")
        var args = ["--silent", "--show-error", "--path-as-is", "--max-time", String(maxTime), "--dump-header", headsFile.path]
        args += arguments
        for (index, url) in urls.enumerated() {
            args += [url, "--output", keepBodies ? directory.appendingPathComponent("body\(index)").path : "/dev/null"]
        }
        let outputFile = directory.appendingPathComponent("stdout")
        let exitCode = try await runProcess("/usr/bin/curl", args, stdout: outputFile)
        let heads = (try? String(contentsOf: headsFile, encoding: .utf8)) ?? ""
        return CurlReply(
            exitCode: exitCode,
            output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
            heads: parseHeads(heads),
            bodies: urls.indices.map { index in
                guard keepBodies else { return [] }
                return [UInt8]((try? Data(contentsOf: directory.appendingPathComponent("body\(index)"))) ?? Data())
            }
        )
    }

    /// Runs `executable` with `arguments`, standard output to `stdout` (or discarded), standard error discarded,
    /// and returns its exit status.
    static func runProcess(_ executable: String, _ arguments: [String], stdout: URL?) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var outputHandle: FileHandle?
        defer { try? outputHandle?.close() }
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            outputHandle = try FileHandle(forWritingTo: stdout)
            process.standardOutput = outputHandle
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }

    /// Splits a `--dump-header` file into heads.
    static func parseHeads(_ dump: String) -> [CurlHead] {
        var heads: [CurlHead] = []
        for line in dump.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("HTTP/") {
                let parts = line.split(separator: " ")
                heads.append(CurlHead(status: parts.count > 1 ? Int(parts[1]) ?? 0 : 0, fields: []))
            } else if let colon = line.firstIndex(of: ":"), !heads.isEmpty {
                let name = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                heads[heads.count - 1].fields.append((name, value))
            }
        }
        return heads
    }
}

/// A fresh directory under the system temporary directory.
func temporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("gatehouse-\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
