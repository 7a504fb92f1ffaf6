import NIOCore
import NIOHTTP1
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Echo)
    @testable import Echo
#else
    @testable import Gatehouse
#endif

/// Pure tests of the echo's pieces: checksum, switches and the response plan; no sockets.
@Suite struct EchoUnitTests {
    @Test func fnv1a64MatchesReferenceVectors() {
        #expect(EchoTestSupport.fnv([]) == "cbf29ce484222325")
        #expect(EchoTestSupport.fnv(Array("a".utf8)) == "af63dc4c8601ec8c")
        #expect(EchoTestSupport.fnv(Array("foobar".utf8)) == "85944171f73967e8")
    }

    @Test func fnv1a64IsTheSameFedInPieces() {
        let bytes = EchoTestSupport.sampleBody(count: 10_000)
        var pieces = FNV1a64()
        pieces.update(ByteBuffer(bytes: bytes[..<3]))
        pieces.update(ByteBuffer(bytes: bytes[3..<7000]))
        pieces.update(ByteBuffer(bytes: bytes[7000...]))
        #expect(pieces.hex == EchoTestSupport.fnv(bytes))
        #expect(pieces.hex.count == 16)
    }

    @Test func patternChunksContinueThePattern() {
        var offset = 0
        for length in [EchoPattern.chunkSize, 1, 250, EchoPattern.chunkSize, 17] {
            let chunk = EchoPattern.chunk(phase: offset % EchoPattern.period, length: length)
            let bytes = chunk.getBytes(at: chunk.readerIndex, length: chunk.readableBytes) ?? []
            #expect(bytes.count == length)
            #expect(bytes.enumerated().allSatisfy { $0.element == EchoPattern.byte(at: offset + $0.offset) })
            offset += length
        }
    }

    @Test func optionsParseEverySwitch() throws {
        let headers: HTTPHeaders = [
            "X-Echo-Status": "503", "x-echo-response-bytes": "42", "X-Echo-Chunked": "true",
            "X-Echo-Delay-Ms": "15", "X-Echo-Header-X-Foo": "bar", "X-Echo-Close": "yes", "Accept": "*/*",
        ]
        let options = try EchoOptions(parsing: headers)
        #expect(options.status == 503)
        #expect(options.responseBytes == 42)
        #expect(options.chunked)
        #expect(options.delayMilliseconds == 15)
        #expect(options.responseHeaders == ["X-Foo": "bar"])
        #expect(options.close)
        #expect(try EchoOptions(parsing: ["Accept": "*/*"]) == EchoOptions())
    }

    @Test(arguments: [
        ("X-Echo-Status", "abc"), ("X-Echo-Status", "101"), ("X-Echo-Status", "42"),
        ("X-Echo-Response-Bytes", "-1"), ("X-Echo-Delay-Ms", "600001"), ("X-Echo-Chunked", "maybe"),
        ("X-Echo-Header-Content-Length", "5"), ("X-Echo-Header-", "x"),
    ])
    func optionsRejectBadValues(name: String, value: String) {
        #expect(throws: EchoOptionError.self) { try EchoOptions(parsing: [name: value]) }
    }

    @Test func reportSplitsTargetAndJoinsRepeatedHeaders() {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a%2Fb?x=1&y=?")
        head.headers = HTTPHeaders([("Host", "example.test"), ("X-Multi", "a"), ("x-multi", "b")])
        var exchange = EchoExchange(head: head, serverName: "n", remoteAddress: "127.0.0.1", localPort: 8081)
        exchange.receive(ByteBuffer(string: "foobar"))
        let report = exchange.report
        #expect(report.target == "/a%2Fb?x=1&y=?")
        #expect(report.path == "/a%2Fb")
        #expect(report.query == "x=1&y=?")
        #expect(report.host == "example.test")
        #expect(report.headers == ["host": "example.test", "x-multi": "a, b"])
        #expect(report.headerList == [["Host", "example.test"], ["X-Multi", "a"], ["x-multi", "b"]])
        #expect(report.bodyBytes == 6)
        #expect(report.bodyFNV1a64 == "85944171f73967e8")
        #expect(report.version == "HTTP/1.1")
    }

    @Test func reportWritesNullForAbsentValues() throws {
        let exchange = EchoExchange(
            head: HTTPRequestHead(version: .http1_0, method: .GET, uri: "/"),
            serverName: "n",
            remoteAddress: nil,
            localPort: nil
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(exchange.report), as: UTF8.self)
        #expect(json.contains(#""query":null"#))
        #expect(json.contains(#""host":null"#))
        #expect(json.contains(#""remoteAddress":null"#))
        #expect(json.hasPrefix(#"{"bodyBytes":0,"bodyFNV1a64":"cbf29ce484222325","#))
    }

    @Test func headAdvertisesTheGetFramingWithoutABody() {
        let encoder = JSONEncoder()
        var head = HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/x")
        head.headers = ["X-Echo-Response-Bytes": "1000"]
        let response = EchoResponse(
            answering: EchoExchange(head: head, serverName: "n", remoteAddress: nil, localPort: nil),
            encoder: encoder
        )
        #expect(response.body == .none)
        #expect(response.head.headers["content-length"] == ["1000"])
        #expect(response.keepAlive)
    }

    @Test func http10KeepAliveIsAnsweredExplicitly() {
        var head = HTTPRequestHead(version: .http1_0, method: .GET, uri: "/")
        head.headers = ["Connection": "keep-alive", "X-Echo-Chunked": "true"]
        let response = EchoResponse(
            answering: EchoExchange(head: head, serverName: "n", remoteAddress: nil, localPort: nil),
            encoder: JSONEncoder()
        )
        #expect(response.keepAlive)
        #expect(response.head.headers["connection"] == ["keep-alive"])
        #expect(response.head.headers["transfer-encoding"].isEmpty)
        #expect(!response.head.headers["content-length"].isEmpty)
    }
}
