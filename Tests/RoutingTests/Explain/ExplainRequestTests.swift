import Routing
import Testing

/// Parsing the URL `gatehouse explain` traces.
struct ExplainRequestTests {
    @Test("scheme, host, default port and target")
    func https() throws {
        let request = try ExplainRequest(url: "https://API.Example.com/users?id=1#top")
        #expect(request.scheme == "https")
        #expect(request.host == "api.example.com")
        #expect(request.hostHeader == "API.Example.com")
        #expect(request.port == 443)
        #expect(request.target == "/users?id=1")
    }

    @Test("an explicit port is kept in the Host header; a missing path is /")
    func explicitPort() throws {
        let request = try ExplainRequest(url: "http://user:secret@test.local:8080")
        #expect(request.port == 8080)
        #expect(request.hostHeader == "test.local:8080")
        #expect(request.host == "test.local")
        #expect(request.target == "/")
    }

    @Test("no scheme means http; a query without path gets /")
    func noScheme() throws {
        let request = try ExplainRequest(url: "web.example.com?x=1")
        #expect(request.scheme == "http")
        #expect(request.port == 80)
        #expect(request.target == "/?x=1")
    }

    @Test("IPv6 literal with port")
    func ipv6() throws {
        let request = try ExplainRequest(url: "http://[fd00::1]:9000/a")
        #expect(request.host == "[fd00::1]")
        #expect(request.port == 9000)
        #expect(request.target == "/a")
    }

    @Test(
        "bad input is refused with a message",
        arguments: [
            ("ftp://example.com/", "unsupported scheme \"ftp\""),
            ("http:///path", "no host"),
            ("http://example.com:http/", "invalid port \"http\""),
            ("http://example.com:70000/", "invalid port \"70000\""),
            ("http://[fd00::1/", "unterminated IPv6 address"),
        ])
    func refused(url: String, message: String) {
        #expect {
            try ExplainRequest(url: url)
        } throws: { error in
            (error as? ExplainRequest.ParseError)?.message.contains(message) == true
        }
    }
}
