import Foundation
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// Request and response bodies through the real proxy: both framings, HEAD, bodiless statuses, interim responses.
    @Suite struct ProxyBodyLiveTests {
        /// Every path of every host → the echo `web`.
        static func files(_ ports: [String: Int]) -> [String: [TestObject]] {
            ["all.yaml": [.service("web", ports: [ports["web"]!]), .ingress("all", host: nil, [TestPath("/", to: "web")])]]
        }

        /// Writes `bytes` to a temporary file for `curl --data-binary @file`; returns the file and its directory.
        static func uploadFile(_ bytes: [UInt8]) throws -> (file: URL, directory: URL) {
            let directory = try temporaryDirectory("upload")
            let file = directory.appendingPathComponent("body")
            try Data(bytes).write(to: file)
            return (file, directory)
        }

        /// `count` bytes of varied content.
        static func sample(_ count: Int) -> [UInt8] {
            var state: UInt32 = 0x9E37_79B9
            return (0..<count).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
        }

        /// The FNV-1a 64 checksum the echo reports for `bytes`.
        static func fnv(_ bytes: [UInt8]) -> String {
            var checksum = FNV1a64()
            checksum.update(bytes)
            return checksum.hex
        }

        @Test(arguments: [false, true])
        func uploadsArriveIntact(chunked: Bool) async throws {
            let body = Self.sample(300_001)
            let (file, directory) = try Self.uploadFile(body)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                let framing = chunked ? ["-H", "Transfer-Encoding: chunked"] : []
                let report = try await proxy.echo("/upload", framing + ["--data-binary", "@" + file.path])
                #expect(report.method == "POST")
                #expect(report.bodyBytes == body.count)
                #expect(report.bodyFNV1a64 == Self.fnv(body))
                if chunked {
                    #expect(report.headers["transfer-encoding"] == "chunked")
                    #expect(report.headers["content-length"] == nil)
                } else {
                    #expect(report.headers["content-length"] == String(body.count))
                    #expect(report.headers["transfer-encoding"] == nil)
                }
            }
        }

        @Test func chunkedUploadWithTrailersAndExtensions() async throws {
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                let request =
                    "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "3;ext=1\r\nfoo\r\n3\r\nbar\r\n0\r\nX-Sum: 1\r\n\r\n"
                let reply = try await RawClient.exchange(port: proxy.port, request)
                #expect(reply.status == 200)
                #expect(reply.text.contains("\"bodyBytes\":6"))
                #expect(reply.text.contains("\"bodyFNV1a64\":\"85944171f73967e8\""))
            }
        }

        @Test(arguments: [false, true])
        func downloadsArriveIntact(chunked: Bool) async throws {
            let count = 3 * 1024 * 1024 + 7
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                var arguments = ["-H", "X-Echo-Response-Bytes: \(count)"]
                if chunked { arguments += ["-H", "X-Echo-Chunked: true"] }
                let (head, body) = try await proxy.get("/bytes", arguments)
                #expect(head.status == 200)
                #expect(body.count == count)
                let verifier = PatternVerifier()
                body.withUnsafeBytes { bytes in
                    for start in stride(from: 0, to: bytes.count, by: PatternVerifier.maxChunk) {
                        verifier.consume(
                            UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + PatternVerifier.maxChunk)]))
                    }
                }
                #expect(verifier.firstMismatch == nil)
                if chunked {
                    #expect(head.header("Transfer-Encoding") == "chunked")
                    #expect(head.header("Content-Length") == nil)
                } else {
                    #expect(head.header("Content-Length") == String(count))
                }
            }
        }

        @Test func headAnswersHeadersWithoutABody() async throws {
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                // Two HEADs on one connection: a stray body after the first would garble the second.
                for extra in [[], ["-H", "X-Echo-Chunked: true"], ["-H", "X-Echo-Response-Bytes: 100000"]] {
                    let reply = try await proxy.curl(
                        ["/h", "/h"], ["--head", "--write-out", "%{num_connects} %{size_download}\n"] + extra
                    )
                    #expect(reply.exitCode == 0)
                    #expect(reply.lines == ["1 0", "0 0"])
                    #expect(reply.finals.map(\.status) == [200, 200])
                }
                let sized = try await proxy.curl(["/h"], ["--head", "-H", "X-Echo-Response-Bytes: 100000"])
                #expect(sized.last?.header("Content-Length") == "100000")
            }
        }

        @Test(arguments: [204, 304])
        func bodilessStatusesKeepTheConnectionUsable(status: Int) async throws {
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                let request =
                    "GET /first HTTP/1.1\r\nHost: h\r\nX-Echo-Status: \(status)\r\n\r\n"
                    + "GET /second HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                let reply = try await RawClient.exchange(port: proxy.port, request)
                // The reply parses as exactly two messages: a stray body after the first would garble the second.
                #expect(reply.statuses == [status, 200])
                #expect(reply.responses.first?.header("Transfer-Encoding") == nil)
                #expect(reply.responses.first?.header("Content-Length") == nil)
                #expect(reply.responses.last?.text.contains("\"target\":\"/second\"") == true)
                #expect(reply.closedByServer)
            }
        }

        @Test func expectContinueIsAnsweredOnceAndTheBodyArrives() async throws {
            let body = Self.sample(64 * 1024)
            let (file, directory) = try Self.uploadFile(body)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                let reply = try await proxy.curl(
                    ["/continue"],
                    ["-H", "Expect: 100-continue", "--expect100-timeout", "30", "--data-binary", "@" + file.path]
                )
                #expect(reply.exitCode == 0)
                #expect(reply.heads.map(\.status) == [100, 200])
                let report = try JSONDecoder().decode(EchoReport.self, from: Data(reply.bodies[0]))
                #expect(report.bodyBytes == body.count)
                #expect(report.bodyFNV1a64 == Self.fnv(body))
            }
        }

        @Test func interimResponsesAreForwarded() async throws {
            try await LiveProxy.run(echoes: ["web"], files: Self.files) { proxy in
                let reply = try await proxy.curl(["/hints"], ["-H", "X-Echo-Status: 103"])
                #expect(reply.exitCode == 0)
                #expect(reply.heads.map(\.status) == [103, 200])
                let report = try JSONDecoder().decode(EchoReport.self, from: Data(reply.bodies[0]))
                #expect(report.path == "/hints")
            }
        }
    }
}
