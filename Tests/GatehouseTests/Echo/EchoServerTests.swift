import Foundation
import NIOCore
import NIOPosix
import Testing

#if canImport(Echo)
    @testable import Echo
#else
    @testable import Gatehouse
#endif

/// The echo over real loopback sockets, driven by curl.
@Suite struct EchoServerTests {
    /// The base URL of a running server.
    private func base(_ server: EchoServer) -> String {
        "http://127.0.0.1:\(server.localPort)"
    }

    @Test func getReportsWhatItReceived() async throws {
        try await EchoTestSupport.withServer(name: "alpha") { server in
            let result = try await EchoTestSupport.curl(
                ["-H", "X-Multi: one", "-H", "X-Multi: two", "-H", "Host: demo.test"],
                urls: [base(server) + "/a%2Fb/c?x=1&y=%20"]
            )
            #expect(result.exitCode == 0)
            let head = try #require(result.last)
            #expect(head.status == 200)
            #expect(head.header("Content-Type") == "application/json")
            #expect(head.header("Server") == "gatehouse-echo")
            #expect(head.header("X-Echo-Name") == "alpha")
            #expect(head.header("Content-Length") == String(result.bodies[0].count))

            let report = try EchoTestSupport.report(result.bodies[0])
            #expect(report.name == "alpha")
            #expect(report.method == "GET")
            #expect(report.target == "/a%2Fb/c?x=1&y=%20")
            #expect(report.path == "/a%2Fb/c")
            #expect(report.query == "x=1&y=%20")
            #expect(report.host == "demo.test")
            #expect(report.headers["x-multi"] == "one, two")
            let multi = report.headerList.filter { $0.first == "X-Multi" }
            #expect(multi == [["X-Multi", "one"], ["X-Multi", "two"]])
            #expect(report.version == "HTTP/1.1")
            #expect(report.bodyBytes == 0)
            #expect(report.bodyFNV1a64 == "cbf29ce484222325")
            #expect(report.remoteAddress == "127.0.0.1")
            #expect(report.localPort == server.localPort)
            #expect(String(decoding: result.bodies[0], as: UTF8.self).contains(#""target":"/a%2Fb/c?x=1&y=%20""#))
        }
    }

    @Test func postWithContentLengthIsCountedAndChecksummed() async throws {
        let body = EchoTestSupport.sampleBody(count: 300_000)
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl([], urls: [base(server) + "/upload"], upload: body)
            let report = try EchoTestSupport.report(result.bodies[0])
            #expect(report.method == "POST")
            #expect(report.headers["content-length"] == "300000")
            #expect(report.bodyBytes == body.count)
            #expect(report.bodyFNV1a64 == EchoTestSupport.fnv(body))
            #expect(report.query == nil)
        }
    }

    @Test func chunkedPostIsCountedAndChecksummed() async throws {
        let body = EchoTestSupport.sampleBody(count: 200_001)
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["-H", "Transfer-Encoding: chunked"],
                urls: [base(server) + "/chunked"],
                upload: body
            )
            let report = try EchoTestSupport.report(result.bodies[0])
            #expect(report.headers["transfer-encoding"] == "chunked")
            #expect(report.headers["content-length"] == nil)
            #expect(report.bodyBytes == body.count)
            #expect(report.bodyFNV1a64 == EchoTestSupport.fnv(body))
        }
    }

    @Test func expectContinueGetsAnInterimResponse() async throws {
        let body = EchoTestSupport.sampleBody(count: 64 * 1024)
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["-H", "Expect: 100-continue", "--expect100-timeout", "30"],
                urls: [base(server) + "/continue"],
                upload: body
            )
            #expect(result.responses.map(\.status) == [100, 200])
            let report = try EchoTestSupport.report(result.bodies[0])
            #expect(report.bodyBytes == body.count)
            #expect(report.bodyFNV1a64 == EchoTestSupport.fnv(body))
        }
    }

    @Test func statusSwitchKeepsTheReportUnlessTheStatusForbidsABody() async throws {
        try await EchoTestSupport.withServer { server in
            let unavailable = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Status: 503"],
                urls: [base(server) + "/down"]
            )
            #expect(unavailable.last?.status == 503)
            #expect(try EchoTestSupport.report(unavailable.bodies[0]).path == "/down")

            let noContent = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Status: 204"],
                urls: [base(server) + "/empty"]
            )
            #expect(noContent.last?.status == 204)
            #expect(noContent.last?.header("Content-Length") == nil)
            #expect(noContent.bodies[0].isEmpty)

            let early = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Status: 103", "-H", "X-Echo-Header-Link: </style.css>; rel=preload"],
                urls: [base(server) + "/hints"]
            )
            #expect(early.responses.map(\.status) == [103, 200])
            #expect(try EchoTestSupport.report(early.bodies[0]).path == "/hints")
        }
    }

    @Test func responseBytesStreamsThePatternWithContentLength() async throws {
        let count = 5 * 1024 * 1024 + 3
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Response-Bytes: \(count)"],
                urls: [base(server) + "/bytes"]
            )
            #expect(result.exitCode == 0)
            #expect(result.last?.header("Content-Length") == String(count))
            #expect(result.last?.header("Content-Type") == "application/octet-stream")
            #expect(result.bodies[0].count == count)
            #expect(EchoTestSupport.firstPatternMismatch(result.bodies[0]) == nil)
        }
    }

    @Test func responseBytesCanBeChunked() async throws {
        let count = 3 * EchoPattern.chunkSize + 7
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Response-Bytes: \(count)", "-H", "X-Echo-Chunked: true"],
                urls: [base(server) + "/bytes"]
            )
            #expect(result.exitCode == 0)
            #expect(result.last?.header("Transfer-Encoding") == "chunked")
            #expect(result.last?.header("Content-Length") == nil)
            #expect(result.bodies[0].count == count)
            #expect(EchoTestSupport.firstPatternMismatch(result.bodies[0]) == nil)
        }
    }

    @Test func headAnswersHeadersOnly() async throws {
        try await EchoTestSupport.withServer { server in
            let get = try await EchoTestSupport.curl([], urls: [base(server) + "/same"])
            // Two HEADs on one connection: a stray body after the first would garble the second.
            let head = try await EchoTestSupport.curl(
                ["--head", "--write-out", "%{num_connects} %{size_download}\n"],
                urls: [base(server) + "/same", base(server) + "/same"]
            )
            #expect(head.exitCode == 0)
            #expect(head.output.split(separator: "\n") == ["1 0", "0 0"])
            #expect(head.responses.map(\.status) == [200, 200])
            // The report differs only in the method ("HEAD" is one byte longer than "GET").
            #expect(head.last?.header("Content-Length") == String(get.bodies[0].count + 1))

            let bytes = try await EchoTestSupport.curl(
                ["--head", "--write-out", "%{size_download}", "-H", "X-Echo-Response-Bytes: 1000000"],
                urls: [base(server) + "/big"]
            )
            #expect(bytes.last?.header("Content-Length") == "1000000")
            #expect(bytes.output == "0")

            // A chunked HEAD advertises the coding but sends no terminator chunk that would garble the next.
            let chunked = try await EchoTestSupport.curl(
                ["--head", "--write-out", "%{num_connects} %{size_download}\n", "-H", "X-Echo-Chunked: true"],
                urls: [base(server) + "/c", base(server) + "/c"]
            )
            #expect(chunked.exitCode == 0)
            #expect(chunked.output.split(separator: "\n") == ["1 0", "0 0"])
            #expect(chunked.responses.map { $0.header("Transfer-Encoding") } == ["chunked", "chunked"])
        }
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["--write-out", "%{num_connects}\n"],
                urls: [base(server) + "/one", base(server) + "/two?q", base(server) + "/three"]
            )
            #expect(result.exitCode == 0)
            #expect(result.output.split(separator: "\n") == ["1", "0", "0"])
            #expect(try result.bodies.map { try EchoTestSupport.report($0).target } == ["/one", "/two?q", "/three"])
            #expect(try EchoTestSupport.report(result.bodies[1]).query == "q")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await EchoTestSupport.withServer { server in
            let request =
                "GET /one HTTP/1.1\r\nHost: h\r\nX-Echo-Response-Bytes: 150000\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nfoobar"
                + "GET /three HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 20\r\n\r\n"
                + "GET /four HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
            let received = try await RawHTTPClient.exchange(port: server.localPort, request: request)
            #expect(received.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 5)
            #expect(received.hasSuffix("}"))
            let positions = ["\"target\":\"/two\"", "\"target\":\"/three\"", "\"target\":\"/four\""].map {
                received.range(of: $0)?.lowerBound
            }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            #expect(received.contains("\"bodyFNV1a64\":\"85944171f73967e8\""))
        }
    }

    @Test func halfCloseStillGetsTheResponse() async throws {
        try await EchoTestSupport.withServer { server in
            let received = try await RawHTTPClient.exchange(
                port: server.localPort,
                request: "GET /half HTTP/1.1\r\nHost: h\r\n\r\n",
                halfClose: true
            )
            #expect(received.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(received.contains("\"target\":\"/half\""))
        }
    }

    @Test func http10WithoutKeepAliveIsClosed() async throws {
        try await EchoTestSupport.withServer { server in
            let received = try await RawHTTPClient.exchange(
                port: server.localPort,
                request: "GET /old HTTP/1.0\r\n\r\n"
            )
            #expect(received.hasPrefix("HTTP/1.0 200 OK\r\n"))
            #expect(received.contains("\"version\":\"HTTP/1.0\""))
            #expect(received.contains("\"host\":null"))
        }
    }

    @Test func closeSwitchClosesTheConnection() async throws {
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["--write-out", "%{num_connects}\n", "-H", "X-Echo-Close: true"],
                urls: [base(server) + "/one", base(server) + "/two"]
            )
            #expect(result.exitCode == 0)
            #expect(result.output.split(separator: "\n") == ["1", "1"])
            #expect(result.responses.allSatisfy { $0.header("Connection") == "close" })
        }
    }

    @Test func delaySwitchWaitsBeforeAnswering() async throws {
        try await EchoTestSupport.withServer { server in
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Delay-Ms: 300"],
                urls: [base(server) + "/slow"]
            )
            #expect(clock.now - start >= .milliseconds(300))
            #expect(result.last?.status == 200)
        }
    }

    @Test func headerSwitchAddsResponseHeaders() async throws {
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Header-X-Foo: bar baz", "-H", "X-Echo-Header-Content-Type: text/x-echo"],
                urls: [base(server) + "/h"]
            )
            #expect(result.last?.header("X-Foo") == "bar baz")
            #expect(result.last?.fields.filter { $0.name.lowercased() == "content-type" }.map(\.value) == ["text/x-echo"])
        }
    }

    @Test func invalidSwitchIsABadRequest() async throws {
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl(["-H", "X-Echo-Status: nope"], urls: [base(server) + "/"])
            #expect(result.last?.status == 400)
            #expect(String(decoding: result.bodies[0], as: UTF8.self).contains("X-Echo-Status"))
        }
    }

    @Test func healthzAnswersOk() async throws {
        try await EchoTestSupport.withServer { server in
            let result = try await EchoTestSupport.curl([], urls: [base(server) + "/healthz"])
            #expect(result.last?.status == 200)
            #expect(result.bodies[0] == Array("ok".utf8))
        }
    }

    @Test func stopClosesTheListener() async throws {
        let server = try await EchoServer.start(port: 0, name: "gone", group: MultiThreadedEventLoopGroup.singleton)
        let url = "http://127.0.0.1:\(server.localPort)/"
        #expect(try await EchoTestSupport.curl([], urls: [url]).exitCode == 0)
        try await server.stop()
        try await server.stop()
        // Connection refused as a rule. Tests running alongside may bind the freed port at once (one of them a
        // listener that never accepts, so the wait is bounded): what must not happen is this echo answering.
        let after = try await EchoTestSupport.curl(["--max-time", "3"], urls: [url])
        #expect(after.exitCode != 0 || after.last?.header("X-Echo-Name") != "gone", "exit \(after.exitCode)")
    }

    /// 1 GiB to a reader throttled below the echo's pace (so backpressure must hold it back), with this
    /// process's memory checked; opt-in (`ECHO_BIG_TEST=1`, about 5 s).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ECHO_BIG_TEST"] != nil))
    func gigabyteStreamsInBoundedMemory() async throws {
        let gigabyte = 1 << 30
        try await EchoTestSupport.withServer { server in
            let before = Self.residentKiB()
            let result = try await EchoTestSupport.curl(
                ["-H", "X-Echo-Response-Bytes: \(gigabyte)", "--limit-rate", "200M", "--write-out", "%{size_download}"],
                urls: [base(server) + "/gig"],
                discardBodies: true
            )
            let after = Self.residentKiB()
            print("echo: 1 GiB streamed; resident memory grew by \(after - before) KiB")
            #expect(result.output == String(gigabyte))
            #expect(after - before < 64 * 1024, "resident memory grew by \(after - before) KiB")
        }
    }

    /// This process's resident set size in KiB (Linux), or 0 where unknown.
    private static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }
}
