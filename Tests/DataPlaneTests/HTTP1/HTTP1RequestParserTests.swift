import NIOCore
import Testing

#if canImport(HTTP1)
    @testable import HTTP1
#else
    @testable import DataPlane
#endif

/// Requests the parser accepts, fed whole, in two pieces at every split and byte by byte.
@Suite struct HTTP1RequestParserTests {
    /// A parser past the head of `raw`, and the buffer holding the rest; nil, with an issue recorded, if no head came.
    private func afterHead(_ raw: String) -> (HTTP1RequestParser, ByteBuffer)? {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(string: raw)
        guard case .head = parser.next(&buffer) else {
            Issue.record("expected a head")
            return nil
        }
        return (parser, buffer)
    }

    @Test func simpleGET() throws {
        let raw = "GET /index.html?q=1 HTTP/1.1\r\nHost: Example.COM\r\nUser-Agent: t\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.events.count == 2)
        #expect(result.events.last == .end)
        #expect(result.rest.isEmpty)
        let head = try #require(result.heads.first)
        #expect(head.method == "GET")
        #expect(head.isMethod("GET"))
        #expect(!head.isMethod("GE"))
        #expect(head.target == "/index.html?q=1")
        #expect(head.version == .http1_1)
        #expect(head.host == "Example.COM")
        #expect(head.hostIndex == 0)
        #expect(head.headers.count == 2)
        #expect(head.nameString(at: 1) == "User-Agent")
        #expect(head.valueString(at: 1) == "t")
        #expect(head.keepAlive)
        #expect(head.bodyFraming == .none)
        #expect(head.contentLength == nil)
        #expect(!head.isChunked)
        #expect(!head.expectsContinue)
        #expect(head.upgradeIndex == nil)
        #expect(head.connectionTokens.isEmpty)
        #expect(head.status == 0)
        #expect(Array(head.bytes.readableBytesView) == http1Bytes(raw))
        #expect(head.bytes.readerIndex == 0)
    }

    @Test func contentLengthBody() throws {
        let raw = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.events.dropFirst() == [.body("hello world"), .end])
        let head = try #require(result.heads.first)
        #expect(head.contentLength == 11)
        #expect(head.bodyFraming == .contentLength(11))
    }

    @Test func contentLengthBodyIsYieldedAsItArrives() {
        guard case (var parser, var buffer)? = afterHead("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabcd") else { return }
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "abcd")))
        #expect(parser.next(&buffer) == .needMoreData)
        buffer.writeString("efghijGET")
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "efghij")))
        #expect(parser.next(&buffer) == .end)
        #expect(parser.next(&buffer) == .needMoreData)
        #expect(buffer.readableBytes == 3)  // "GET" of the next request stays
    }

    @Test func contentLengthBodyBytesSkippedPastTheParser() {
        guard case (var parser, var buffer)? = afterHead("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab") else { return }
        #expect(parser.contentLengthLeft == 10)
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "ab")))
        #expect(parser.contentLengthLeft == 8)
        // Moved from socket to socket by the caller: the parser only counts them.
        parser.skipContentLength(5)
        #expect(parser.contentLengthLeft == 3)
        buffer.writeString("ijkGET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "ijk")))
        #expect(parser.contentLengthLeft == nil)
        #expect(parser.next(&buffer) == .end)
        guard case .head = parser.next(&buffer) else {
            Issue.record("expected the next head")
            return
        }
        #expect(parser.contentLengthLeft == nil)  // chunked: nothing to skip
        guard case (var second, var rest)? = afterHead("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n") else { return }
        second.skipContentLength(4)
        #expect(second.contentLengthLeft == nil)
        #expect(second.next(&rest) == .end)
    }

    @Test func zeroContentLengthHasNoBody() {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.events.count == 2)
        #expect(result.heads.first?.bodyFraming == HTTP1BodyFraming.none)
        #expect(result.heads.first?.contentLength == 0)
    }

    @Test func identicalContentLengthsAreOneValue() {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.heads.first?.contentLength == 3)
        #expect(result.events.dropFirst() == [.body("abc"), .end])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let raw =
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked \r\n\r\n"
            + "5;name=value;flag\r\nhello\r\n"
            + "6 ; q = \"a \\\"b\\\" c\" ;x\r\n world\r\n"
            + "A\r\n0123456789\r\n"
            + "0;last\r\nX-Checksum: abc\r\nx-other:1\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.rest.isEmpty)
        let head = try #require(result.heads.first)
        #expect(head.isChunked)
        #expect(head.bodyFraming == .chunked)
        #expect(result.shape == ["POST /c", "body:hello world0123456789", "trailers:2", "end"])
        guard case .trailers(let trailers) = result.events.dropFirst(2).first else {
            Issue.record("expected trailers, got \(result.events)")
            return
        }
        #expect(trailers.headers.count == 2)
        #expect(trailers.nameString(at: 0) == "X-Checksum")
        #expect(trailers.valueString(at: 0) == "abc")
        #expect(trailers.firstIndex(ofHeader: "x-other") == 1)
        #expect(trailers.valueString(at: 1) == "1")
        #expect(Array(trailers.bytes.readableBytesView) == http1Bytes("X-Checksum: abc\r\nx-other:1\r\n\r\n"))
    }

    @Test func chunkedBodyWithoutTrailers() {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.events.dropFirst() == [.body("abc"), .end])
        #expect(result.rest.isEmpty)
    }

    @Test func chunkDataIsSlicedAsItArrives() {
        guard case (var parser, var buffer)? = afterHead("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nabc") else {
            return
        }
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "abc")))
        #expect(parser.next(&buffer) == .needMoreData)
        buffer.writeString("defgh\r\n0\r\n\r\n")
        #expect(parser.next(&buffer) == .body(ByteBuffer(string: "defgh")))
        #expect(parser.next(&buffer) == .end)
        #expect(buffer.readableBytes == 0)
    }

    @Test func pipelinedRequestsInOneBuffer() {
        let raw =
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
            + "GET /4 HTTP/1.0\r\n\r\n"
            + "GET /5 HTTP/1.1\r\nHo"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.heads.map(\.target) == ["/1", "/2", "/3", "/4"])
        #expect(result.events.filter { $0 == .end }.count == 4)
        #expect(result.events.contains(.body("ok")))
        #expect(result.events.contains(.body("x")))
        #expect(result.rest == http1Bytes("GET /5 HTTP/1.1\r\nHo"))
    }

    @Test func nextRequestStaysInTheBufferAfterEnd() {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        guard case .head(let first) = parser.next(&buffer) else {
            Issue.record("expected a head")
            return
        }
        #expect(first.target == "/a")
        #expect(parser.next(&buffer) == .end)
        #expect(buffer.readableBytes == 28)
        guard case .head(let second) = parser.next(&buffer) else {
            Issue.record("expected a second head")
            return
        }
        #expect(second.target == "/b")
        #expect(parser.messageCount == 2)
    }

    @Test func leadingEmptyLinesAreSkipped() {
        let raw = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.heads.count == 1)
        #expect(result.heads.first?.target == "/")
        #expect(result.events.last == .end)
    }

    @Test func http10RequestNeedsNoHostAndClosesByDefault() throws {
        let plain = http1FeedEverySplit(http1RequestParser, http1Bytes("GET / HTTP/1.0\r\n\r\n"))
        let head = try #require(plain.heads.first)
        #expect(head.version == .http1_0)
        #expect(head.hostIndex == nil)
        #expect(head.host == nil)
        #expect(!head.keepAlive)
        let kept = http1FeedEverySplit(http1RequestParser, http1Bytes("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
        #expect(kept.heads.first?.keepAlive == true)
        #expect(kept.heads.first?.connectionTokens.keepAlive == true)
    }

    @Test func connectionTokensAndKeepAlive() throws {
        let raw =
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret ,, Upgrade\r\nconnection: TE, close\r\n"
            + "Upgrade: websocket\r\nx-secret: 1\r\nTE: trailers\r\nKeep-Alive: timeout=5\r\nX-Public: 2\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        let head = try #require(result.heads.first)
        #expect(!head.keepAlive)  // close wins
        #expect(head.connectionTokens.close)
        #expect(head.connectionTokens.keepAlive)
        #expect(head.connectionTokens.upgrade)
        #expect(head.connectionTokens.te)
        #expect(head.connectionTokens.others.count == 1)
        #expect(head.connectionTokenStrings == ["close", "keep-alive", "upgrade", "te", "x-secret"])
        #expect(head.upgradeIndex == 3)
        let nominated = head.headers.indices.filter { head.isNominatedByConnection($0) }
        #expect(nominated.map { head.nameString(at: $0) } == ["Upgrade", "x-secret", "TE", "Keep-Alive"])
        let keep = http1FeedEverySplit(http1RequestParser, http1Bytes("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"))
        #expect(keep.heads.first?.keepAlive == true)
    }

    @Test func expectContinue() {
        let raw = "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        #expect(result.heads.first?.expectsContinue == true)
        let other = http1FeedEverySplit(http1RequestParser, http1Bytes("GET / HTTP/1.1\r\nHost: a\r\nExpect: other\r\n\r\n"))
        #expect(other.heads.first?.expectsContinue == false)
    }

    @Test func headerValuesAreTrimmedAndMayHoldTabsAndObsText() throws {
        let raw = "GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\nX-Blank: \t \r\nX-Tab: \ta\tb \t\r\nX-Utf8: caf\u{e9}\r\n\r\n"
        let result = http1FeedEverySplit(http1RequestParser, http1Bytes(raw))
        let head = try #require(result.heads.first)
        #expect(head.valueString(at: 0) == "a")
        #expect(head.value(at: 1).isEmpty)
        #expect(head.value(at: 2).isEmpty)
        #expect(head.valueString(at: 3) == "a\tb")
        #expect(head.valueString(at: 4) == "caf\u{e9}")
    }

    @Test func targetsOfEveryForm() {
        for (line, target) in [
            ("GET http://example.com:8080/a?b HTTP/1.1", "http://example.com:8080/a?b"),
            ("CONNECT example.com:443 HTTP/1.1", "example.com:443"),
            ("OPTIONS * HTTP/1.1", "*"),
            ("GET /%E2%82%AC?x=%20 HTTP/1.1", "/%E2%82%AC?x=%20"),
        ] {
            let result = http1FeedEverySplit(http1RequestParser, http1Bytes(line + "\r\nHost: example.com\r\n\r\n"))
            #expect(result.heads.first?.target == target)
            #expect(result.events.last == .end)
        }
    }

    /// Limits used by the limit tests: a 21-byte request line, 3 fields, a 64-byte head.
    static let smallLimits = HTTP1Limits(maxHeadBytes: 64, maxHeaderCount: 3, maxRequestLineBytes: 21)

    @Test func limitsAreInclusive() {
        let raw = "GET /0123456 HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: " + String(repeating: "b", count: 19) + "\r\n\r\n"
        #expect(raw.utf8.count == 64)
        let result = http1FeedEverySplit({ HTTP1RequestParser(limits: Self.smallLimits) }, http1Bytes(raw))
        #expect(result.heads.first?.headers.count == 3)
        #expect(result.events.last == .end)
    }

    @Test func scanningResumesWhereItStopped() {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\nHo")
        #expect(parser.next(&buffer) == .needMoreData)
        guard case .head(let progress) = parser.state else {
            Issue.record("expected the head state")
            return
        }
        #expect(progress.scanned == 18)
        #expect(progress.firstLineLength == 14)
        buffer.writeString("st: a\r\n\r\n")
        guard case .head = parser.next(&buffer) else {
            Issue.record("expected a head")
            return
        }
    }

    @Test func largeHeadFedByteByByte() {
        // 30 KiB of headers, one byte per call (see alreadyScannedBytesAreNotScannedAgain for linearity).
        var raw = "GET / HTTP/1.1\r\nHost: a\r\n"
        for i in 0..<600 { raw += "X-Header-\(i): " + String(repeating: "v", count: 30) + "\r\n" }
        raw += "\r\n"
        let limits = HTTP1Limits(maxHeadBytes: 64 * 1024, maxHeaderCount: 1000)
        var parser = HTTP1RequestParser(limits: limits)
        let data = http1Bytes(raw)
        let result = http1Feed(&parser, data.indices.map { data[$0...$0] })
        #expect(result.heads.first?.headers.count == 601)
        #expect(result.shape == ["GET /", "end"])
    }

    @Test func alreadyScannedBytesAreNotScannedAgain() {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(string: "GET /abc HTTP/1.1\r\nHo")
        #expect(parser.next(&buffer) == .needMoreData)
        // Plant a bare LF in bytes the scanner has passed: a rescan would report .bareLineFeed; without one the
        // head parser meets it in the target.
        buffer.setInteger(UInt8(ascii: "\n"), at: buffer.readerIndex + 6)
        buffer.writeString("st: a\r\n\r\n")
        #expect(parser.next(&buffer) == .error(HTTP1ParseError(.invalidTarget, "control character in the request target")))
    }

    @Test func alreadyScannedChunkLinesAndTrailersAreNotScannedAgain() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        // Chunk-size line: a rescan would see .bareLineFeed, the line parser sees a broken extension.
        var chunkParser = HTTP1RequestParser()
        var chunk = ByteBuffer(string: head + "5;abc")
        #expect(chunkParser.next(&chunk).isHead)
        #expect(chunkParser.next(&chunk) == .needMoreData)
        chunk.setInteger(UInt8(ascii: "\n"), at: chunk.readerIndex + 2)
        chunk.writeString("\r\nhello\r\n")
        #expect(chunkParser.next(&chunk) == .error(HTTP1ParseError(.invalidChunkExtension, "malformed chunk extension")))

        // Trailers: a rescan would see .bareLineFeed, the field parser sees a control character in a value.
        var trailerParser = HTTP1RequestParser()
        var trailer = ByteBuffer(string: head + "0\r\nX: abc")
        #expect(trailerParser.next(&trailer).isHead)
        #expect(trailerParser.next(&trailer) == .needMoreData)
        trailer.setInteger(UInt8(ascii: "\n"), at: trailer.readerIndex + 4)
        trailer.writeString("\r\n\r\n")
        #expect(trailerParser.next(&trailer) == .error(HTTP1ParseError(.invalidHeaderValue, "control character in a header value")))
    }

    @Test func failedParserStaysFailed() {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\nHost : a\r\n\r\n")
        let first = parser.next(&buffer)
        guard case .error(let error) = first else {
            Issue.record("expected an error, got \(first)")
            return
        }
        #expect(error.kind == .whitespaceBeforeColon)
        #expect(error.status == 400)
        var fresh = ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(parser.next(&fresh) == first)
        #expect(parser.inputClosed() == first)
    }

    @Test func inputClosed() {
        var idle = HTTP1RequestParser()
        #expect(idle.inputClosed() == .needMoreData)

        var midHead = HTTP1RequestParser()
        var partial = ByteBuffer(string: "GET / HT")
        #expect(midHead.next(&partial) == .needMoreData)
        guard case .error(let headError) = midHead.inputClosed() else {
            Issue.record("expected an error")
            return
        }
        #expect(headError.kind == .incompleteMessage)

        var midBody = HTTP1RequestParser()
        let result = http1Feed(&midBody, [http1Bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab")[...]], close: true)
        #expect(result.error == .error(.incompleteMessage, 400))

        var between = HTTP1RequestParser()
        let done = http1Feed(&between, [http1Bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")[...]], close: true)
        #expect(done.events.count == 2)
        #expect(done.error == nil)
    }

    @Test func http2PriorKnowledgePreface() {
        let preface = http1Bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        let frames: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 0, 0]
        let result = http1FeedEverySplit(http1RequestParser, preface + frames)
        #expect(result.events == [.error(.http2Preface, 505)])

        // The preface stays in the buffer for the HTTP/2 codec.
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(bytes: preface + frames)
        #expect(parser.next(&buffer) == .error(HTTP1ParseError(.http2Preface, "HTTP/2 prior-knowledge connection preface")))
        #expect(Array(buffer.readableBytesView) == preface + frames)

        // Only a prefix so far: wait.
        var waiting = HTTP1RequestParser()
        var head = ByteBuffer(bytes: preface.prefix(20))
        #expect(waiting.next(&head) == .needMoreData)

        // Not the preface after all.
        let wrong = http1FeedEverySplit(http1RequestParser, http1Bytes("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"))
        #expect(wrong.events == [.error(.unsupportedVersion, 505)])

        // Not at the start of the connection.
        let later = http1FeedEverySplit(http1RequestParser, http1Bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n") + preface)
        #expect(later.events.last == .error(.unsupportedVersion, 505))
    }
}
