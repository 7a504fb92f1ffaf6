#if canImport(HTTP1)
@testable import HTTP1
#else
@testable import DataPlane
#endif
import NIOCore
import Testing

/// Head accessors and the header-kind classification.
@Suite struct HTTP1HeadTests {
    /// Parses one request head with `fields` after Host.
    private func head(_ fields: String...) throws -> HTTP1Head {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\nHost: h\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n")
        let event = parser.next(&buffer)
        guard case .head(let head) = event else {
            Issue.record("expected a head, got \(event)")
            throw CancellationError()
        }
        return head
    }

    static let kinds: [(String, HTTP1HeaderKind)] = [
        ("Host", .host), ("content-length", .contentLength), ("Transfer-Encoding", .transferEncoding),
        ("CONNECTION", .connection), ("Keep-Alive", .keepAlive), ("TE", .te), ("Trailer", .trailer),
        ("Upgrade", .upgrade), ("Proxy-Connection", .proxyConnection), ("Proxy-Authenticate", .proxyAuthenticate),
        ("Proxy-Authorization", .proxyAuthorization), ("Proxy", .proxy), ("Forwarded", .forwarded),
        ("X-Forwarded-For", .xForwardedFor), ("x-forwarded-host", .xForwardedHost),
        ("X-Forwarded-Port", .xForwardedPort), ("X-Forwarded-Proto", .xForwardedProto),
        ("X-Forwarded-Prefix", .xForwardedPrefix), ("X-Forwarded-Server", .xForwardedOther),
        ("x-forwarded-ssl", .xForwardedOther), ("X-Real-IP", .xRealIP), ("X-Request-ID", .xRequestID),
        ("Expect", .expect), ("Date", .date), ("Server", .server),
        ("Hosts", .other), ("Hast", .other), ("X-Forwarded-", .other), ("X-Forwarded", .other), ("Dates", .other),
        ("Content-Lengths", .other), ("Proxy-Authorizatio", .proxyOther), ("T", .other), ("Upgrade-Insecure-Requests", .other),
    ]

    @Test(arguments: kinds) func classifiesNames(_ name: String, _ kind: HTTP1HeaderKind) {
        let buffer = ByteBuffer(string: "-" + name)
        let classified = buffer.withUnsafeReadableBytes { HTTP1HeaderKind.classify($0, 1..<$0.count) }
        #expect(classified == kind)
    }

    @Test func parsingRecordsKinds() throws {
        let parsed = try head("X-Forwarded-For: 1.2.3.4", "x-request-id: r", "Accept: */*")
        #expect(parsed.headers.map(\.kind) == [.host, .xForwardedFor, .xRequestID, .other])
    }

    @Test func hopByHopKinds() {
        #expect(HTTP1HeaderKind.connection.isHopByHop)
        #expect(HTTP1HeaderKind.transferEncoding.isHopByHop)
        #expect(HTTP1HeaderKind.proxyConnection.isHopByHop)
        #expect(!HTTP1HeaderKind.host.isHopByHop)
        #expect(!HTTP1HeaderKind.xForwardedFor.isHopByHop)
        #expect(!HTTP1HeaderKind.other.isHopByHop)
    }

    @Test func lookupIgnoresCase() throws {
        let parsed = try head("X-Custom_Name: one", "x-custom_name: two", "Accept: */*")
        #expect(parsed.firstIndex(ofHeader: "x-custom_name") == 1)
        #expect(parsed.firstIndex(ofHeader: "accept" as StaticString) == 3)
        #expect(parsed.firstIndex(ofHeader: "accep") == nil)
        #expect(parsed.firstIndex(of: .host) == 0)
        #expect(parsed.firstIndex(of: .date) == nil)
        #expect(parsed.firstValue(ofHeader: "x-custom_name") == "one")
        #expect(Array(parsed.name(at: 2)) == Array("x-custom_name".utf8))
        #expect(Array(parsed.value(at: 2)) == Array("two".utf8))
        #expect(Array(parsed.methodBytes) == Array("GET".utf8))
        #expect(Array(parsed.targetBytes) == Array("/".utf8))
    }

    @Test func rangesIndexTheRawBytes() throws {
        let parsed = try head("A:  spaced value  ")
        let field = parsed.headers[1]
        #expect(parsed.bytes.getString(at: field.name.lowerBound, length: field.name.count) == "A")
        #expect(parsed.bytes.getString(at: field.value.lowerBound, length: field.value.count) == "spaced value")
        #expect(parsed.bytes.getString(at: parsed.methodRange.lowerBound, length: parsed.methodRange.count) == "GET")
    }

    @Test func errorStatuses() {
        #expect(HTTP1ParseError(.headTooLarge, "").status == 431)
        #expect(HTTP1ParseError(.tooManyHeaders, "").status == 431)
        #expect(HTTP1ParseError(.startLineTooLong, "").status == 414)
        #expect(HTTP1ParseError(.unsupportedVersion, "").status == 505)
        #expect(HTTP1ParseError(.unsupportedTransferEncoding, "").status == 501)
        #expect(HTTP1ParseError(.bareLineFeed, "").status == 400)
    }
}
