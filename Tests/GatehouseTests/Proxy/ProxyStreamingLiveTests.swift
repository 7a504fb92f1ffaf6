import Foundation
import Testing

@testable import Gatehouse

#if canImport(Glibc)
    import Glibc
#endif

extension LiveProxyTests {
    /// 256 MiB each way through the real proxy, with this process's memory (the proxy runs in it) watched: bodies
    /// must stream with backpressure, never pile up. Over HTTP/1.1 and over HTTP/2 (h2c with prior knowledge: each
    /// direction then goes through a stream's flow-control window). Serialized so the transfers do not share the
    /// memory budget.
    @Suite struct ProxyStreamingLiveTests {
        /// The transfer size.
        static let size = 256 * 1024 * 1024
        /// How much the resident set may grow during a transfer.
        static let budgetKiB = 100 * 1024

        /// Every path → the echo `bulk`, with no body size limit.
        static func files(_ ports: [String: Int]) -> [String: [TestObject]] {
            [
                "all.yaml": [
                    .service("bulk", ports: [ports["bulk"]!]),
                    .ingress("bulk", host: nil, annotations: ["proxy-body-size": "0"], [TestPath("/", to: "bulk")]),
                ]
            ]
        }

        @Test(arguments: [false, true])
        func largeDownloadStreamsInBoundedMemory(http2: Bool) async throws {
            try await LiveProxy.run(echoes: ["bulk"], files: Self.files) { proxy in
                let verifier = PatternVerifier()
                let (growth, exitCode) = try await Self.measuringMemory {
                    // The client reads slower than the echo writes, so the proxy must hold the backend back.
                    try await Curl.stream(
                        ["-H", "X-Echo-Response-Bytes: \(Self.size)", "--limit-rate", "400M"] + Self.protocolOptions(http2),
                        url: proxy.url("/download"),
                        into: verifier
                    )
                }
                print("256 MiB download (\(http2 ? "HTTP/2" : "HTTP/1.1")): resident memory grew by at most \(growth) KiB")
                #expect(exitCode == 0)
                #expect(verifier.count == Self.size)
                #expect(verifier.firstMismatch == nil)
                #expect(growth < Self.budgetKiB, "resident memory grew by \(growth) KiB")
            }
        }

        @Test(arguments: [false, true])
        func largeUploadsStreamInBoundedMemory(http2: Bool) async throws {
            let directory = try temporaryDirectory("bulk")
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("upload")
            let checksum = try Self.writeUpload(to: file)
            try await LiveProxy.run(echoes: ["bulk"], files: Self.files) { proxy in
                // The same file with Content-Length, then chunked (curl frames it; the proxy re-frames the chunks).
                // HTTP/2 has no chunked framing: its DATA frames carry the body, with Content-Length.
                for chunked in http2 ? [false] : [false, true] {
                    let framing = chunked ? ["-H", "Transfer-Encoding: chunked"] : []
                    let (growth, reply) = try await Self.measuringMemory {
                        try await Curl.run(
                            framing + Self.protocolOptions(http2) + ["--upload-file", file.path], urls: [proxy.url("/upload")], maxTime: 120
                        )
                    }
                    let name = (chunked ? "chunked" : "Content-Length") + (http2 ? ", HTTP/2" : "")
                    print("256 MiB upload (\(name)): resident memory grew by at most \(growth) KiB")
                    #expect(reply.exitCode == 0)
                    #expect(reply.last?.status == 200)
                    let report = try JSONDecoder().decode(EchoReport.self, from: Data(reply.bodies[0]))
                    #expect(report.bodyBytes == Self.size, "\(name)")
                    #expect(report.bodyFNV1a64 == checksum, "\(name)")
                    #expect(report.headers["transfer-encoding"] == (chunked ? "chunked" : nil))
                    #expect(growth < Self.budgetKiB, "\(name): resident memory grew by \(growth) KiB")
                }
            }
        }

        /// An upload to a backend that never reads: once the kernel's buffers towards it are full, the proxy must
        /// stop reading the client (HTTP/1.1) or taking the stream's bytes and keep its window closed (HTTP/2), so the
        /// client stalls instead of the proxy holding the body. (The echo backend of the test above reads as fast as
        /// the client sends, so the proxy never has to pause there.)
        @Test(arguments: [false, true])
        func uploadToAStalledBackendIsHeldBack(http2: Bool) async throws {
            let stalled = try StalledListener()
            defer { stalled.close() }
            let directory = try temporaryDirectory("stalled")
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("upload")
            try Data(count: Self.stalledUploadSize).write(to: file)
            try await LiveProxy.run(files: { _ in
                [
                    "all.yaml": [
                        .service("stalled", ports: [stalled.port]),
                        .ingress("stalled", host: nil, annotations: ["proxy-body-size": "0"], [TestPath("/", to: "stalled")]),
                    ]
                ]
            }) { proxy in
                let before = ProcessMemory.residentKiB() ?? 0
                let upload = Process()
                upload.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                upload.arguments =
                    ["--silent"] + Self.protocolOptions(http2) + [
                        "--max-time", "30", "--upload-file", file.path, "--output", "/dev/null", proxy.url("/upload"),
                    ]
                upload.standardOutput = FileHandle.nullDevice
                upload.standardError = FileHandle.nullDevice
                try upload.run()
                defer { if upload.isRunning { upload.terminate() } }
                // A bounded watch: the client could send the whole body in well under this time if nothing held it.
                var highest = 0
                let clock = ContinuousClock()
                let end = clock.now + .seconds(4)
                while clock.now < end {
                    highest = max(highest, (ProcessMemory.residentKiB() ?? 0) - before)
                    try await Task.sleep(for: .milliseconds(10))
                }
                print("\(http2 ? "HTTP/2" : "HTTP/1.1") upload to a stalled backend: resident memory grew by at most \(highest) KiB")
                #expect(upload.isRunning, "the upload should still be held back, not finished or failed")
                #expect(highest < Self.stalledBudgetKiB, "resident memory grew by \(highest) KiB")
            }
        }

        /// The upload to the stalled backend: far more than the kernel's socket buffers and the stream's window.
        static let stalledUploadSize = 128 * 1024 * 1024
        /// How much the resident set may grow while that upload is held back.
        static let stalledBudgetKiB = 32 * 1024

        /// curl's options for the protocol: HTTP/2 without upgrade (h2c with prior knowledge), or HTTP/1.1.
        static func protocolOptions(_ http2: Bool) -> [String] { http2 ? ["--http2-prior-knowledge"] : [] }

        /// Writes `size` bytes of varied content (each 1 MiB block numbered) to `file`; returns their FNV-1a 64 checksum.
        static func writeUpload(to file: URL) throws -> String {
            let blockSize = 1024 * 1024
            var state: UInt32 = 0x1234_5678
            var block = (0..<blockSize).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            var checksum = FNV1a64.offsetBasis
            for number in 0..<(size / blockSize) {
                withUnsafeBytes(of: UInt32(number).littleEndian) { block.replaceSubrange(0..<4, with: $0) }
                block.withUnsafeBytes { checksum = fnv1a64(checksum, $0) }
                try handle.write(contentsOf: block)
            }
            let digits = String(checksum, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }

        /// FNV-1a 64 of `bytes` continuing from `hash`, eight bytes per step: the same function as ``FNV1a64``,
        /// fast enough in a debug build for 256 MiB (integer operators inline even unoptimised; loops and
        /// subscripts do not).
        static func fnv1a64(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
            precondition(bytes.count % 8 == 0)
            let prime = FNV1a64.prime
            var hash = hash
            var offset = 0
            while offset < bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                hash = (hash ^ (word & 0xff)) &* prime
                hash = (hash ^ ((word >> 8) & 0xff)) &* prime
                hash = (hash ^ ((word >> 16) & 0xff)) &* prime
                hash = (hash ^ ((word >> 24) & 0xff)) &* prime
                hash = (hash ^ ((word >> 32) & 0xff)) &* prime
                hash = (hash ^ ((word >> 40) & 0xff)) &* prime
                hash = (hash ^ ((word >> 48) & 0xff)) &* prime
                hash = (hash ^ (word >> 56)) &* prime
                offset &+= 8
            }
            return hash
        }

        /// Runs `transfer` while watching this process's resident set; returns how far it rose above its level at
        /// the start (KiB, the kernel's peak when it can be reset, else the highest of frequent samples) and the result.
        static func measuringMemory<T: Sendable>(_ transfer: () async throws -> T) async throws -> (Int, T) {
            let before = ProcessMemory.residentKiB() ?? 0
            let kernelPeak = ProcessMemory.resetPeak()
            let sampler = Task {
                var highest = 0
                while !Task.isCancelled {
                    highest = max(highest, ProcessMemory.residentKiB() ?? 0)
                    try? await Task.sleep(for: .milliseconds(5))
                }
                return highest
            }
            let result = try await transfer()
            sampler.cancel()
            var peak = await sampler.value
            if kernelPeak, let hwm = ProcessMemory.peakKiB() { peak = max(peak, hwm) }
            return (max(0, peak - before), result)
        }
    }
}

/// Checks a streamed body against the echo's pattern (byte `i` is `i % 251`) without keeping it.
///
/// Used from the one thread that reads curl's output, then read after that thread finished.
final class PatternVerifier: @unchecked Sendable {
    /// Bytes seen.
    private(set) var count = 0
    /// The offset of the first wrong byte, if any.
    private(set) var firstMismatch: Int?
    /// The pattern from phase 0, long enough to compare any chunk of up to `maxChunk` bytes at any phase.
    private let reference: [UInt8]
    /// The largest chunk ``consume(_:)`` accepts.
    static let maxChunk = 1 << 20

    init() {
        reference = (0..<(Self.maxChunk + EchoPattern.period)).map { UInt8($0 % EchoPattern.period) }
    }

    /// Checks the next piece of the body.
    func consume(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= Self.maxChunk)
        if firstMismatch == nil {
            let phase = count % EchoPattern.period
            let equal = reference.withUnsafeBytes { memcmp($0.baseAddress! + phase, bytes.baseAddress!, bytes.count) == 0 }
            if !equal {
                let offset = (0..<bytes.count).first { bytes[$0] != reference[phase + $0] } ?? 0
                firstMismatch = count + offset
            }
        }
        count += bytes.count
    }
}

extension Curl {
    /// Runs curl on `url`, handing its output (the body) to `verifier` as it arrives, on a dedicated thread (so
    /// a long transfer blocks no task); returns curl's exit status.
    static func stream(_ arguments: [String], url: String, into verifier: PatternVerifier) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--silent", "--show-error", "--max-time", "120"] + arguments + [url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let descriptor = output.fileHandleForReading.fileDescriptor
        return await withCheckedContinuation { continuation in
            let reader = Thread {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PatternVerifier.maxChunk, alignment: 16)
                defer { buffer.deallocate() }
                while true {
                    let read = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                    if read < 0 && errno == EINTR { continue }
                    if read <= 0 { break }
                    verifier.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<read]))
                }
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
            reader.start()
        }
    }
}

/// A listening socket on 127.0.0.1 that never accepts: connections complete in the kernel's backlog and bytes sent to
/// them fill its buffers, like a backend that stopped reading.
final class StalledListener: Sendable {
    /// The socket.
    private let descriptor: Int32
    /// Its port.
    let port: Int

    /// Listens on an ephemeral port.
    init() throws {
        (descriptor, port) = try Self.listenOnLoopback()
    }

    /// A blocking socket listening on an ephemeral port of 127.0.0.1, and the port.
    static func listenOnLoopback() throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = LoopbackClient.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0, let port = ProcessSockets.port(fd, getsockname) else {
            Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, port)
    }

    /// Closes the socket (the connections in its backlog are reset).
    func close() { Glibc.close(descriptor) }
}
