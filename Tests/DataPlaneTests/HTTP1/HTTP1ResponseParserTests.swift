#if canImport(HTTP1)
@testable import HTTP1
#else
@testable import DataPlane
#endif
import NIOCore
import Testing

/// Upstream responses: framing by status and request method, interim heads, protocol switches, EOF bodies, refusals.
@Suite struct HTTP1ResponseParserTests {
    /// A response parser told that the request was HEAD.
    static func afterHEAD() -> HTTP1ResponseParser {
        var parser = HTTP1ResponseParser()
        parser.expectResponse(toHEAD: true)
        return parser
    }

    @Test func contentLengthResponse() throws {
        let raw = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: up\r\n\r\nhello"
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw))
        #expect(result.events.dropFirst() == [.body("hello"), .end])
        let head = try #require(result.heads.first)
        #expect(head.status == 200)
        #expect(head.reason == "OK")
        #expect(head.version == .http1_1)
        #expect(head.keepAlive)
        #expect(head.contentLength == 5)
        #expect(head.bodyFraming == .contentLength(5))
        #expect(head.methodRange.isEmpty && head.targetRange.isEmpty)
        #expect(head.headers[1].kind == .server)
        #expect(!head.isInterim)
    }

    @Test func chunkedResponseWithTrailers() throws {
        let raw =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
            + "4\r\nWiki\r\n5;ext=\"v\"\r\npedia\r\n0\r\nX-Sum: 42\r\n\r\n"
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw))
        #expect(result.shape == ["200", "body:Wikipedia", "trailers:1", "end"])
        guard case .trailers(let trailers) = result.events.dropFirst(2).first else {
            Issue.record("expected trailers, got \(result.events)")
            return
        }
        #expect(trailers.valueString(at: 0) == "42")
        #expect(result.heads.first?.bodyFraming == .chunked)
    }

    @Test func responseToHEADHasNoBody() throws {
        let raw = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
        let result = http1FeedEverySplit(Self.afterHEAD, http1Bytes(raw))
        // The HEAD flag covers only the first response; the second one has its body.
        #expect(result.shape == ["200", "end", "200", "body:hi", "end"])
        #expect(result.heads.first?.contentLength == 1000)
        #expect(result.heads.first?.bodyFraming == HTTP1BodyFraming.none)
        #expect(result.rest.isEmpty)

        let chunked = http1FeedEverySplit(Self.afterHEAD, http1Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
        #expect(chunked.shape == ["200", "end"])
        #expect(chunked.heads.first?.isChunked == true)
        #expect(chunked.heads.first?.bodyFraming == HTTP1BodyFraming.none)
    }

    @Test(arguments: [204, 304])
    func statusWithoutBody(_ status: Int) {
        let raw = "HTTP/1.1 \(status) X\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw))
        #expect(result.shape == ["\(status)", "end", "200", "body:z", "end"])
        #expect(result.heads.first?.keepAlive == true)
    }

    @Test func interimResponsesThenFinal() {
        let raw =
            "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw))
        #expect(result.shape == ["100", "end", "103", "end", "200", "body:ok", "end"])
        #expect(result.heads.map(\.isInterim) == [true, true, false])
    }

    @Test func interimResponseKeepsTheHEADFlag() {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        let result = http1FeedEverySplit(Self.afterHEAD, http1Bytes(raw))
        #expect(result.shape == ["100", "end", "200", "end"])
    }

    @Test func switchingProtocolsEndsParsing() throws {
        let raw = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u{81}\u{5}hello"
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw))
        #expect(result.shape == ["101", "end"])
        #expect(result.rest == Array("\u{81}\u{5}hello".utf8))
        let head = try #require(result.heads.first)
        #expect(!head.isInterim)
        #expect(head.upgradeIndex == 0)
        #expect(head.connectionTokens.upgrade)

        var parser = HTTP1ResponseParser()
        var buffer = ByteBuffer(string: raw)
        _ = parser.next(&buffer)
        #expect(parser.next(&buffer) == .end)
        #expect(parser.hasSwitchedProtocols)
        let before = buffer
        #expect(parser.next(&buffer) == .needMoreData)
        #expect(buffer == before)
        #expect(parser.inputClosed() == .needMoreData)
    }

    @Test func connectTunnel() {
        let make = {
            var parser = HTTP1ResponseParser()
            parser.expectResponse(toHEAD: false, toCONNECT: true)
            return parser
        }
        let tunnel = http1FeedEverySplit(make, http1Bytes("HTTP/1.1 200 Connection established\r\n\r\n\u{16}\u{3}\u{1}"))
        #expect(tunnel.shape == ["200", "end"])
        #expect(tunnel.rest == [0x16, 0x03, 0x01])
        let refused = http1FeedEverySplit(make, http1Bytes("HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\nno"))
        #expect(refused.events.dropFirst() == [.body("no"), .end])
    }

    @Test func closeDelimitedBody() throws {
        let raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this\r\nuntil EOF"
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw), close: true)
        #expect(result.events.dropFirst() == [.body("all of this\r\nuntil EOF"), .end])
        let head = try #require(result.heads.first)
        #expect(!head.keepAlive)
        #expect(head.bodyFraming == .untilClose)

        var parser = HTTP1ResponseParser()
        var buffer = ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nab")
        _ = parser.next(&buffer)
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "ab")))
        #expect(parser.next(&buffer) == .needMoreData)
        buffer.writeString("cd")
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "cd")))
        #expect(parser.inputClosed() == .end)
        #expect(parser.inputClosed() == .needMoreData)
    }

    @Test func emptyCloseDelimitedBody() {
        let result = http1FeedEverySplit(http1ResponseParser, http1Bytes("HTTP/1.1 200 OK\r\n\r\n"), close: true)
        #expect(result.events.count == 2)
        #expect(result.events.last == .end)
    }

    @Test func http10Responses() {
        let closes = http1FeedEverySplit(http1ResponseParser, http1Bytes("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"))
        #expect(closes.heads.first?.keepAlive == false)
        #expect(closes.heads.first?.version == .http1_0)
        let kept = http1FeedEverySplit(
            http1ResponseParser,
            http1Bytes("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx")
        )
        #expect(kept.heads.first?.keepAlive == true)
        let closed = http1FeedEverySplit(
            http1ResponseParser,
            http1Bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        )
        #expect(closed.heads.first?.keepAlive == false)
        #expect(closed.events.count == 2)
    }

    @Test func reasonPhraseIsOptional() {
        for (raw, reason) in [
            ("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", ""),
            ("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", ""),
            ("HTTP/1.1 404 Not \tFound \r\nContent-Length: 0\r\n\r\n", "Not \tFound "),
            ("HTTP/1.1 599 caf\u{e9}\r\nContent-Length: 0\r\n\r\n", "caf\u{e9}"),
        ] {
            let result = http1FeedEverySplit(http1ResponseParser, http1Bytes(raw))
            #expect(result.heads.first?.reason == reason)
            #expect(result.events.last == .end)
        }
    }

    @Test func inputClosedMidMessage() {
        for raw in [
            "HTTP/1.1 200 OK\r\nContent-Le",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
        ] {
            var parser = HTTP1ResponseParser()
            let result = http1Feed(&parser, [http1Bytes(raw)[...]], close: true)
            #expect(result.error == .error(.incompleteMessage, 400), "\(raw.debugDescription)")
        }
        var idle = HTTP1ResponseParser()
        #expect(idle.inputClosed() == .needMoreData)
    }

    static let refusals: [HTTP1Refusal] = [
        .init(
            "CL and TE",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        .init("CL differs", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 2\r\n\r\n", .conflictingContentLength),
        .init("CL invalid", "HTTP/1.1 200 OK\r\nContent-Length: 3a\r\n\r\n", .invalidContentLength),
        .init("TE gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .invalidTransferEncoding),
        .init("TE gzip, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding, 501),
        .init("TE in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
        .init("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", .invalidChunkSize),
        .init("chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab", .invalidChunkTerminator),
        .init("status 2000", "HTTP/1.1 2000 OK\r\n\r\n", .invalidStatus),
        .init("status 20", "HTTP/1.1 20 OK\r\n\r\n", .invalidStatus),
        .init("status abc", "HTTP/1.1 abc OK\r\n\r\n", .invalidStatus),
        .init("status 600", "HTTP/1.1 600 OK\r\n\r\n", .invalidStatus),
        .init("status 099", "HTTP/1.1 099 OK\r\n\r\n", .invalidStatus),
        .init("no status", "HTTP/1.1\r\n\r\n", .invalidStartLine),
        .init("two spaces", "HTTP/1.1  200 OK\r\n\r\n", .invalidStatus),
        .init("control in reason", "HTTP/1.1 200 O\u{1}K\r\n\r\n", .invalidStatus),
        .init("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion, 505),
        .init("bad version", "HTTP/1.1x 200 OK\r\n\r\n", .invalidVersion),
        .init("garbage", "hello\r\n\r\n", .invalidVersion),
        .init("leading empty line", "\r\nHTTP/1.1 200 OK\r\n\r\n", .invalidStartLine),
        .init("bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", .bareLineFeed),
        .init("obs-fold", "HTTP/1.1 200 OK\r\nX: 1\r\n 2\r\n\r\n", .obsoleteLineFolding),
        .init("space before colon", "HTTP/1.1 200 OK\r\nX : 1\r\n\r\n", .whitespaceBeforeColon),
        .init("NUL in value", "HTTP/1.1 200 OK\r\nX: \u{0}\r\n\r\n", .invalidHeaderValue),
        .init(
            "head too large",
            "HTTP/1.1 200 OK\r\nX: " + String(repeating: "x", count: 100) + "\r\n\r\n",
            .headTooLarge,
            431,
            limits: HTTP1Limits(maxHeadBytes: 64)
        ),
    ]

    @Test(arguments: refusals) func refusesBadResponses(_ refusal: HTTP1Refusal) {
        let result = http1FeedEverySplit({ HTTP1ResponseParser(limits: refusal.limits) }, refusal.raw)
        #expect(result.error == .error(refusal.kind, refusal.status), "\(result.events)")
    }

    @Test func failedParserStaysFailed() {
        var parser = HTTP1ResponseParser()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")
        let first = parser.next(&buffer)
        guard case .error(let error) = first else {
            Issue.record("expected an error, got \(first)")
            return
        }
        #expect(error.kind == .invalidContentLength)
        var fresh = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(parser.next(&fresh) == first)
        #expect(parser.inputClosed() == first)
    }
}
