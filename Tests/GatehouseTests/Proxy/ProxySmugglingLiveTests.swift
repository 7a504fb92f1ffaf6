import Foundation
import Testing

extension LiveProxyTests {
    /// Malformed and ambiguous requests (request smuggling vectors) sent as exact bytes to the real proxy: each is
    /// refused with the expected status, the connection is closed, and the request never reaches the backend (a
    /// recording backend shows what arrived).
    @Suite struct ProxySmugglingLiveTests {
        /// A request that must be refused.
        struct Case: Sendable, CustomTestStringConvertible {
            /// What is wrong with it.
            var name: String
            /// The bytes sent (a smuggled second request follows them).
            var request: String
            /// The status expected.
            var status = 400
            /// Whether the head is acceptable and only the chunked body is broken: then the proxy may already have
            /// forwarded the head, but must never forward a complete request.
            var bodyError = false

            var testDescription: String { name }
        }

        /// The request the smuggling attempts try to sneak past the proxy.
        static let smuggled = "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n"

        /// A POST head with `fields` inserted.
        static func post(_ fields: String, version: String = "HTTP/1.1") -> String {
            "POST /submit \(version)\r\nHost: app.test\r\n\(fields)\r\n"
        }

        /// A chunked POST whose body is `body`.
        static func chunked(_ body: String) -> String {
            post("Transfer-Encoding: chunked\r\n") + body
        }

        static let headCases: [Case] = [
            Case(
                name: "Content-Length and Transfer-Encoding",
                request: post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n"),
            Case(
                name: "Transfer-Encoding and Content-Length",
                request: post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") + "0\r\n\r\n"),
            Case(name: "differing duplicate Content-Length", request: post("Content-Length: 5\r\nContent-Length: 6\r\n") + "hello!"),
            Case(name: "differing Content-Length list", request: post("Content-Length: 5, 6\r\n") + "hello!"),
            Case(name: "signed Content-Length", request: post("Content-Length: +5\r\n") + "hello"),
            Case(name: "hex Content-Length", request: post("Content-Length: 0x5\r\n") + "hello"),
            Case(name: "Transfer-Encoding identity", request: post("Transfer-Encoding: identity\r\n") + "hello"),
            Case(name: "chunked not the final coding", request: post("Transfer-Encoding: chunked, identity\r\n") + "0\r\n\r\n"),
            Case(
                name: "chunked applied twice", request: post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n"),
            Case(name: "chunked with a suffix", request: post("Transfer-Encoding: chunkedx\r\n") + "0\r\n\r\n"),
            Case(name: "chunked with a prefix", request: post("Transfer-Encoding: xchunked\r\n") + "0\r\n\r\n"),
            Case(name: "Transfer-Encoding in HTTP/1.0", request: post("Transfer-Encoding: chunked\r\n", version: "HTTP/1.0") + "0\r\n\r\n"),
            Case(name: "whitespace before the colon", request: post("Transfer-Encoding : chunked\r\n") + "0\r\n\r\n"),
            Case(name: "tab before the colon", request: post("Content-Length\t: 5\r\n") + "hello"),
            Case(name: "whitespace before the colon of any field", request: "GET / HTTP/1.1\r\nHost: app.test\r\nX-Foo : bar\r\n\r\n"),
            Case(name: "obs-fold", request: "GET / HTTP/1.1\r\nHost: app.test\r\nX-Foo: a\r\n b\r\n\r\n"),
            Case(name: "obs-fold of Transfer-Encoding", request: post("Transfer-Encoding:\r\n chunked\r\n") + "0\r\n\r\n"),
            Case(name: "bare LF line endings", request: "GET / HTTP/1.1\nHost: app.test\n\n"),
            Case(name: "bare LF inside a head", request: "GET / HTTP/1.1\r\nHost: app.test\nX-Foo: a\r\n\r\n"),
            Case(name: "bare CR inside a value", request: "GET / HTTP/1.1\r\nHost: app.test\r\nX-Foo: a\rb\r\n\r\n"),
            Case(name: "NUL in the target", request: "GET /a\u{0}b HTTP/1.1\r\nHost: app.test\r\n\r\n"),
            Case(name: "control character in the target", request: "GET /a\u{1}b HTTP/1.1\r\nHost: app.test\r\n\r\n"),
            Case(name: "DEL in the target", request: "GET /a\u{7f}b HTTP/1.1\r\nHost: app.test\r\n\r\n"),
            Case(name: "NUL in a header value", request: "GET / HTTP/1.1\r\nHost: app.test\r\nX-Foo: a\u{0}b\r\n\r\n"),
            Case(name: "control character in a header value", request: "GET / HTTP/1.1\r\nHost: app.test\r\nX-Foo: a\u{1}b\r\n\r\n"),
            Case(name: "control character in a header name", request: "GET / HTTP/1.1\r\nHost: app.test\r\nX\u{1}Foo: b\r\n\r\n"),
            Case(name: "two Host headers", request: "GET / HTTP/1.1\r\nHost: app.test\r\nHost: evil.test\r\n\r\n"),
            Case(name: "no Host in HTTP/1.1", request: "GET / HTTP/1.1\r\nX-Foo: a\r\n\r\n"),
            Case(
                name: "unsupported coding before chunked", request: post("Transfer-Encoding: gzip, chunked\r\n") + "0\r\n\r\n", status: 501),
        ]

        static let bodyCases: [Case] = [
            Case(name: "chunk size not hex", request: chunked("zz\r\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "negative chunk size", request: chunked("-5\r\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "chunk size with 0x", request: chunked("0x5\r\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "empty chunk size", request: chunked("\r\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "space before the chunk size", request: chunked(" 5\r\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(
                name: "chunk size overflowing 64 bits",
                request: chunked("1" + String(repeating: "0", count: 16) + "\r\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "chunk size with a bare LF", request: chunked("5\nhello\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "chunk data longer than its size", request: chunked("5\r\nhello!!\r\n0\r\n\r\n"), bodyError: true),
            Case(name: "a valid chunk, then an invalid size", request: chunked("5\r\nhello\r\nq\r\n0\r\n\r\n"), bodyError: true),
        ]

        @Test(arguments: headCases + bodyCases)
        func refusedAndClosedWithoutReachingTheBackend(_ refused: Case) async throws {
            try await RawBackend.with { backend in
                try await LiveProxy.run { _ in
                    ["all.yaml": [.service("app", ports: [backend.port]), .ingress("app", host: nil, [TestPath("/", to: "app")])]]
                } _: { proxy in
                    let reply = try await RawClient.exchange(port: proxy.port, refused.request + Self.smuggled)
                    #expect(reply.statuses == [refused.status], "\(refused.name): \(reply.text.prefix(200))")
                    #expect(reply.closedByServer, "\(refused.name): the connection stayed open")
                    #expect(!reply.text.contains("smuggled"))
                    #expect(proxy.metric("gatehouse_bad_requests_total") == 1)

                    if refused.bodyError {
                        // The head may have gone out before the body turned out broken; the upstream connection must be
                        // closed without a complete request having been sent.
                        try await waitUntil("the upstream connection to close") { backend.openConnections == 0 }
                        let received = backend.receivedText
                        let body = received.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
                        #expect(!body.hasPrefix("0\r\n") && !body.contains("\r\n0\r\n"), "\(refused.name): a complete body went upstream")
                        #expect(!received.contains("smuggled"))
                    } else {
                        #expect(backend.accepted == 0, "\(refused.name): the proxy connected upstream")
                        #expect(proxy.metric("gatehouse_upstream_connects_total") == 0)
                    }
                }
            }
        }

        @Test func aValidRequestReachesTheRecordingBackend() async throws {
            // The control for the refusals above: the same setup forwards a well-formed request.
            try await RawBackend.with(response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") { backend in
                try await LiveProxy.run { _ in
                    ["all.yaml": [.service("app", ports: [backend.port]), .ingress("app", host: nil, [TestPath("/", to: "app")])]]
                } _: { proxy in
                    let request = Self.post("Transfer-Encoding: chunked\r\nConnection: close\r\n") + "5\r\nhello\r\n0\r\n\r\n"
                    let reply = try await RawClient.exchange(port: proxy.port, request)
                    #expect(reply.statuses == [200])
                    #expect(reply.closedByServer)
                    try await waitUntil("the whole request to reach the backend") {
                        backend.receivedText.hasSuffix("\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                    }
                    #expect(backend.receivedText.hasPrefix("POST /submit HTTP/1.1\r\nHost: app.test\r\n"))
                }
            }
        }
    }
}
