#if canImport(HTTP1)
@testable import HTTP1
#else
@testable import DataPlane
#endif
import NIOCore
import Testing

/// One malformed request and what the parser must answer.
struct HTTP1Refusal: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: [UInt8]
    let kind: HTTP1ParseError.Kind
    let status: Int
    var limits = HTTP1Limits()

    init(_ name: String, _ raw: String, _ kind: HTTP1ParseError.Kind, _ status: Int = 400, limits: HTTP1Limits = .init()) {
        self.name = name
        self.raw = Array(raw.utf8)
        self.kind = kind
        self.status = status
        self.limits = limits
    }

    init(_ name: String, bytes raw: [UInt8], _ kind: HTTP1ParseError.Kind, _ status: Int = 400) {
        self.name = name
        self.raw = raw
        self.kind = kind
        self.status = status
    }

    var testDescription: String { name }
}

/// A request head with `fields` (each line without its CRLF) and Host first.
private func request(_ fields: String..., line: String = "POST / HTTP/1.1", body: String = "") -> String {
    line + "\r\nHost: a\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n" + body
}

/// A chunked request whose body is `body`.
private func chunked(_ body: String) -> String {
    request("Transfer-Encoding: chunked", body: body)
}

/// Every refusal the brief lists, with its status; each is fed whole, split everywhere and byte by byte.
@Suite struct HTTP1RequestRefusalTests {
    static let framing: [HTTP1Refusal] = [
        .init("CL and TE", request("Content-Length: 3", "Transfer-Encoding: chunked"), .contentLengthWithTransferEncoding),
        .init("TE and CL", request("Transfer-Encoding: chunked", "Content-Length: 3"), .contentLengthWithTransferEncoding),
        .init("CL values differ", request("Content-Length: 3", "Content-Length: 4"), .conflictingContentLength),
        .init("CL list differs", request("Content-Length: 3, 4"), .conflictingContentLength),
        .init("CL +5", request("Content-Length: +5"), .invalidContentLength),
        .init("CL -1", request("Content-Length: -1"), .invalidContentLength),
        .init("CL 5 5", request("Content-Length: 5 5"), .invalidContentLength),
        .init("CL 0x5", request("Content-Length: 0x5"), .invalidContentLength),
        .init("CL empty", request("Content-Length:"), .invalidContentLength),
        .init("CL empty element", request("Content-Length: 5,"), .invalidContentLength),
        .init("CL overflow", request("Content-Length: 99999999999999999999"), .invalidContentLength),
        .init("CL Int.max + 1", request("Content-Length: 9223372036854775808"), .invalidContentLength),
        .init("TE gzip, chunked", request("Transfer-Encoding: gzip, chunked"), .unsupportedTransferEncoding, 501),
        .init("TE chunked, chunked", request("Transfer-Encoding: chunked, chunked"), .invalidTransferEncoding),
        .init("TE twice", request("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), .invalidTransferEncoding),
        .init("TE chunked;x", request("Transfer-Encoding: chunked;x"), .invalidTransferEncoding),
        .init("TE xchunked", request("Transfer-Encoding: xchunked"), .invalidTransferEncoding),
        .init("TE chunked junk", request("Transfer-Encoding: chunked x"), .invalidTransferEncoding),
        .init("TE chunked, gzip", request("Transfer-Encoding: chunked, gzip"), .invalidTransferEncoding),
        .init("TE gzip", request("Transfer-Encoding: gzip"), .invalidTransferEncoding),
        .init("TE empty", request("Transfer-Encoding:"), .invalidTransferEncoding),
        .init("TE empty element", request("Transfer-Encoding: chunked,"), .invalidTransferEncoding),
        .init("TE in HTTP/1.0", request("Transfer-Encoding: chunked", line: "POST / HTTP/1.0"), .transferEncodingInHTTP10),
    ]

    static let chunks: [HTTP1Refusal] = [
        .init("chunk size not hex", chunked("zz\r\n"), .invalidChunkSize),
        .init("chunk size empty", chunked("\r\nabc"), .invalidChunkSize),
        .init("chunk size 17 digits", chunked("00000000000000001\r\n"), .invalidChunkSize),
        .init("chunk size > Int.max", chunked("8000000000000000\r\n"), .invalidChunkSize),
        .init("chunk size 0x10", chunked("0x10\r\n"), .invalidChunkSize),
        .init("chunk size after space", chunked(" 5\r\nhello\r\n0\r\n\r\n"), .invalidChunkSize),
        .init("chunk size then space", chunked("5 \r\nhello\r\n0\r\n\r\n"), .invalidChunkSize),
        .init("chunk size 5 5", chunked("5 5\r\n"), .invalidChunkSize),
        .init("chunk size negative", chunked("-5\r\n"), .invalidChunkSize),
        .init("chunk data without CRLF", chunked("5\r\nhelloXX0\r\n\r\n"), .invalidChunkTerminator),
        .init("chunk data then CR junk", chunked("5\r\nhello\rX"), .invalidChunkTerminator),
        .init("chunk data then bare LF", chunked("5\r\nhello\n0\r\n\r\n"), .invalidChunkTerminator),
        .init("bare LF after chunk size", chunked("5\nhello\r\n0\r\n\r\n"), .bareLineFeed),
        .init("bare CR after chunk size", chunked("5\rhello\r\n0\r\n\r\n"), .bareCarriageReturn),
        .init("bare LF after last chunk", chunked("0\n\r\n"), .bareLineFeed),
        .init("bare LF ending trailers", chunked("0\r\n\n"), .bareLineFeed),
        .init("bare LF in trailers", chunked("0\r\nX: 1\n\r\n"), .bareLineFeed),
        .init("bare CR in trailers", chunked("0\r\nX: 1\rY: 2\r\n\r\n"), .bareCarriageReturn),
        .init("obs-fold in trailers", chunked("0\r\nX: 1\r\n 2\r\n\r\n"), .obsoleteLineFolding),
        .init("bad trailer name", chunked("0\r\nX Y: 1\r\n\r\n"), .invalidHeaderName),
        .init("extension without name", chunked("5;\r\nhello\r\n"), .invalidChunkExtension),
        .init("extension =value only", chunked("5;=x\r\nhello\r\n"), .invalidChunkExtension),
        .init("extension empty value", chunked("5;a=\r\nhello\r\n"), .invalidChunkExtension),
        .init("extension unterminated quote", chunked("5;a=\"x\r\nhello\r\n"), .invalidChunkExtension),
        .init("extension control in quote", chunked("5;a=\"x\u{1}\"\r\nhello\r\n"), .invalidChunkExtension),
        .init("extension two values", chunked("5;a=b c\r\nhello\r\n"), .invalidChunkExtension),
        .init("extension trailing space", chunked("5;a=b \r\nhello\r\n"), .invalidChunkExtension),
        .init("extension bad name", chunked("5;a@b\r\nhello\r\n"), .invalidChunkExtension),
        .init(
            "chunk line too long",
            chunked("5;" + String(repeating: "a", count: 5000) + "\r\nhello\r\n"),
            .chunkHeaderTooLong
        ),
        .init(
            "chunk line too long, no CRLF yet",
            chunked("5;" + String(repeating: "a", count: 5000)),
            .chunkHeaderTooLong
        ),
    ]

    static let headerLines: [HTTP1Refusal] = [
        .init("space before colon", request("X-A : 1"), .whitespaceBeforeColon),
        .init("tab before colon", request("X-A\t: 1"), .whitespaceBeforeColon),
        .init("empty name", request(": 1"), .invalidHeaderName),
        .init("name with (", request("X(A: 1"), .invalidHeaderName),
        .init("name with space", request("X A: 1"), .invalidHeaderName),
        .init("name with /", request("X/A: 1"), .invalidHeaderName),
        .init("name non-ASCII", request("X\u{e9}: 1"), .invalidHeaderName),
        .init("line without colon", request("X-A"), .invalidHeaderName),
        .init("obs-fold with SP", request("X-A: 1", " continued"), .obsoleteLineFolding),
        .init("obs-fold with HTAB", request("X-A: 1", "\tcontinued"), .obsoleteLineFolding),
        .init("NUL in value", request("X-A: a\u{0}b"), .invalidHeaderValue),
        .init("control in value", request("X-A: a\u{1}b"), .invalidHeaderValue),
        .init("ESC in value", request("X-A: \u{1b}[31m"), .invalidHeaderValue),
        .init("DEL in value", request("X-A: a\u{7f}b"), .invalidHeaderValue),
        .init("bare LF in headers", "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", .bareLineFeed),
        .init("bare LF ending head", "GET / HTTP/1.1\r\nHost: a\r\n\n", .bareLineFeed),
        .init("bare LF only", "GET / HTTP/1.1\nHost: a\n\n", .bareLineFeed),
        .init("bare CR in headers", "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", .bareCarriageReturn),
        .init("bare CR as blank line", "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n", .bareCarriageReturn),
        .init("missing Host", "GET / HTTP/1.1\r\nX: 1\r\n\r\n", .missingHost),
        .init("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", .duplicateHost),
        .init("same Host twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .duplicateHost),
        .init("Connection not tokens", request("Connection: close;x"), .invalidConnectionHeader),
    ]

    static let startLines: [HTTP1Refusal] = [
        .init("NUL in target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("control in target", "GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("DEL in target", "GET /a\u{7f}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("HTAB in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("SP in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("NUL in method", "G\u{0}ET / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("control in method", "GE\u{1}T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("non-token method", "GET/ / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidStartLine),
        .init("two spaces before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("HTAB as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .invalidVersion),
        .init("missing version", "GET /\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("missing target", "GET\r\nHost: a\r\n\r\n", .invalidStartLine),
        .init("HTTP/1.1x", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("HTTP/11", "GET / HTTP/11\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("lowercase http", "GET / http/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("HTTP/1.", "GET / HTTP/1.\r\nHost: a\r\n\r\n", .invalidVersion),
        .init("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
        .init("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
        .init("HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", .unsupportedVersion, 505),
        .init("bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", .bareLineFeed),
        .init("bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", .bareCarriageReturn),
        .init("bare CR after target", "GET /\rX HTTP/1.1\r\nHost: a\r\n\r\n", .bareCarriageReturn),
        .init("leading bare LF", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .bareLineFeed),
        .init("leading bare CR", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", .bareCarriageReturn),
        .init(
            "too many leading empty lines",
            String(repeating: "\r\n", count: 5) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            .tooManyLeadingEmptyLines
        ),
    ]

    static let limits: [HTTP1Refusal] = [
        .init(
            "head one byte too large",
            "GET /0123456 HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: " + String(repeating: "b", count: 20) + "\r\n\r\n",
            .headTooLarge,
            431,
            limits: HTTP1RequestParserTests.smallLimits
        ),
        .init(
            "one header too many",
            "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
            .tooManyHeaders,
            431,
            limits: HTTP1RequestParserTests.smallLimits
        ),
        .init(
            "request line one byte too long",
            "GET /01234567 HTTP/1.1\r\nHost: a\r\n\r\n",
            .startLineTooLong,
            414,
            limits: HTTP1RequestParserTests.smallLimits
        ),
        .init(
            "trailers one byte too large",
            chunked("0\r\nX: " + String(repeating: "x", count: 58) + "\r\n\r\n"),
            .headTooLarge,
            431,
            limits: HTTP1Limits(maxHeadBytes: 64, maxHeaderCount: 3, maxRequestLineBytes: 21)
        ),
        .init(
            "one trailer too many",
            chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"),
            .tooManyHeaders,
            431,
            limits: HTTP1Limits(maxHeadBytes: 1024, maxHeaderCount: 3)
        ),
    ]

    /// Feeds the case in every split and byte by byte and expects one error, with its kind and status, last.
    /// With `everySplit` false (for big inputs) it is fed whole and byte by byte only.
    private func check(_ refusal: HTTP1Refusal, everySplit: Bool = true) {
        let make = { HTTP1RequestParser(limits: refusal.limits) }
        let result: HTTP1FeedResult
        if everySplit {
            result = http1FeedEverySplit(make, refusal.raw)
        } else {
            var whole = make()
            result = http1Feed(&whole, [refusal.raw[...]])
            var single = make()
            let bytewise = http1Feed(&single, refusal.raw.indices.map { refusal.raw[$0...$0] })
            #expect(bytewise.events == result.events)
        }
        #expect(result.error == .error(refusal.kind, refusal.status), "\(result.events)")
        #expect(result.events.filter { if case .error = $0 { true } else { false } }.count == 1)
    }

    @Test(arguments: framing) func refusesBadFraming(_ refusal: HTTP1Refusal) { check(refusal) }
    @Test(arguments: chunks) func refusesBadChunks(_ refusal: HTTP1Refusal) { check(refusal) }
    @Test(arguments: headerLines) func refusesBadHeaderLines(_ refusal: HTTP1Refusal) { check(refusal) }
    @Test(arguments: startLines) func refusesBadRequestLines(_ refusal: HTTP1Refusal) { check(refusal) }
    @Test(arguments: limits) func refusesOverLimits(_ refusal: HTTP1Refusal) { check(refusal) }

    @Test func defaultLimitsAreEnforced() {
        let tooLargeHead = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "x", count: 32 * 1024) + "\r\n\r\n"
        check(.init("32 KiB head", tooLargeHead, .headTooLarge, 431), everySplit: false)
        let manyHeaders = "GET / HTTP/1.1\r\n" + (0..<100).map { "X-\($0): 1\r\n" }.joined() + "Host: a\r\n\r\n"
        check(.init("101 headers", manyHeaders, .tooManyHeaders, 431), everySplit: false)
        let longLine = "GET /" + String(repeating: "a", count: 8192) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        check(.init("8 KiB request line", longLine, .startLineTooLong, 414), everySplit: false)
        // The same sizes minus one are fine.
        let fine =
            "GET /" + String(repeating: "a", count: 8192 - 14) + " HTTP/1.1\r\n"
            + (0..<99).map { "X-\($0): 1\r\n" }.joined() + "Host: a\r\n\r\n"
        var parser = HTTP1RequestParser()
        let result = http1Feed(&parser, [http1Bytes(fine)[...]])
        #expect(result.heads.first?.headers.count == 100)
        #expect(result.heads.first?.targetRange.count == 8192 - 13)
    }
}
