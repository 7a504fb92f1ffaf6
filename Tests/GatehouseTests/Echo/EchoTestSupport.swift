import Foundation
import NIOCore
import NIOPosix
import Testing

#if canImport(Echo)
    @testable import Echo
#else
    @testable import Gatehouse
#endif

/// What one curl run produced.
struct CurlResult {
    /// curl's exit code.
    var exitCode: Int32
    /// What curl printed to stdout (the `-w` output).
    var output: String
    /// Every response head curl received (interim 1xx responses included), in order.
    var responses: [CurlHead]
    /// The bodies written with `-o`, one per URL.
    var bodies: [[UInt8]]

    /// The last final (non-1xx) response head.
    var last: CurlHead? {
        self.responses.last { !(100..<200).contains($0.status) }
    }
}

/// Helpers shared by the echo tests: a running server, curl, and the FNV-1a reference.
enum EchoTestSupport {
    /// Starts an echo on an ephemeral loopback port, runs `body`, and stops the echo.
    static func withServer<T>(
        name: String = "echo-test",
        _ body: (EchoServer) async throws -> T
    ) async throws -> T {
        let server = try await EchoServer.start(port: 0, name: name, group: MultiThreadedEventLoopGroup.singleton)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// Runs curl against `urls` with `arguments`; each URL's body goes to its own file, the heads to a dump.
    /// With `discardBodies` the bodies go to /dev/null (and `bodies` holds empty arrays).
    static func curl(
        _ arguments: [String],
        urls: [String],
        upload: [UInt8]? = nil,
        discardBodies: Bool = false
    ) async throws -> CurlResult {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("echo-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var args = ["--silent", "--show-error", "--path-as-is", "--max-time", "60"]
        args += ["--dump-header", directory.appendingPathComponent("heads").path]
        if let upload {
            let file = directory.appendingPathComponent("upload")
            try Data(upload).write(to: file)
            args += ["--data-binary", "@" + file.path]
        }
        args += arguments
        for (index, url) in urls.enumerated() {
            let output = discardBodies ? "/dev/null" : directory.appendingPathComponent("body\(index)").path
            args += [url, "--output", output]
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = args
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let heads = (try? Data(contentsOf: directory.appendingPathComponent("heads"))) ?? Data()
        let bodies = urls.indices.map { index in
            [UInt8]((try? Data(contentsOf: directory.appendingPathComponent("body\(index)"))) ?? Data())
        }
        return CurlResult(
            exitCode: exitCode,
            output: output,
            responses: Curl.parseHeads(String(decoding: heads, as: UTF8.self)),
            bodies: bodies
        )
    }

    /// Decodes a JSON report body.
    static func report(_ body: [UInt8]) throws -> EchoReport {
        try JSONDecoder().decode(EchoReport.self, from: Data(body))
    }

    /// The FNV-1a 64 hex checksum of `bytes`, computed independently of the server's streaming path.
    static func fnv(_ bytes: [UInt8]) -> String {
        var checksum = FNV1a64()
        checksum.update(bytes)
        return checksum.hex
    }

    /// `count` bytes of varied content (a simple LCG), for upload tests.
    static func sampleBody(count: Int) -> [UInt8] {
        var state: UInt32 = 12345
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }

    /// The index of the first byte that breaks the `i % 251` pattern, or `nil` when all match.
    static func firstPatternMismatch(_ bytes: [UInt8]) -> Int? {
        var expected: UInt8 = 0
        for index in bytes.indices {
            if bytes[index] != expected { return index }
            expected = expected == UInt8(EchoPattern.period - 1) ? 0 : expected + 1
        }
        return nil
    }
}
