import Foundation
import Testing

@testable import Gatehouse

extension LiveProxyTests {
    /// Routing and forwarding through the real proxy over loopback sockets, with echo backends reporting what
    /// arrived.
    @Suite struct ProxyRoutingLiveTests {
        /// Two hosts: `app.test` with `/web` → web and `/api` → api, `other.test` with `/` → other.
        static func appFiles(_ ports: [String: Int]) -> [String: [TestObject]] {
            [
                "services.yaml": ["web", "api", "other"].map { .service($0, ports: [ports[$0]!]) },
                "ingress.yaml": [
                    .ingress("app", host: "app.test", [TestPath("/web", to: "web"), TestPath("/api", to: "api")]),
                    .ingress("other", host: "other.test", [TestPath("/", to: "other")]),
                ],
            ]
        }

        @Test func hostAndPathChooseTheBackend() async throws {
            try await LiveProxy.run(echoes: ["web", "api", "other"], files: Self.appFiles) { proxy in
                #expect(try await proxy.backendName("/web", host: "app.test") == "web")
                #expect(try await proxy.backendName("/web/page", host: "app.test") == "web")
                #expect(try await proxy.backendName("/api/users/7", host: "app.test") == "api")
                #expect(try await proxy.backendName("/anything", host: "other.test") == "other")
                // Host matching ignores case and the port.
                #expect(try await proxy.backendName("/api", host: "APP.Test:8080") == "api")
                // Prefix matches whole path elements only; unknown hosts match nothing.
                #expect(try await proxy.get("/webby", host: "app.test").head.status == 404)
                #expect(try await proxy.get("/web", host: "unknown.test").head.status == 404)

                let report = try await proxy.echo("/api/x", host: "app.test")
                #expect(report.host == "app.test")
                #expect(report.target == "/api/x")
                #expect(report.method == "GET")
                #expect(report.version == "HTTP/1.1")
            }
        }

        @Test func rewriteTargetAppliesCaptureGroupsAndKeepsTheQuery() async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                [
                    "all.yaml": [
                        .service("web", ports: [ports["web"]!]),
                        .ingress(
                            "groups", host: "rw.test", annotations: ["rewrite-target": "/$2", "use-regex": "true"],
                            [TestPath("/app(/|$)(.*)", to: "web", pathType: "ImplementationSpecific")]
                        ),
                        .ingress("root", host: "root.test", annotations: ["rewrite-target": "/"], [TestPath("/web", to: "web")]),
                    ]
                ]
            } _: { proxy async throws in
                #expect(try await proxy.echo("/app/x/y?q=1&r=%20", host: "rw.test").target == "/x/y?q=1&r=%20")
                #expect(try await proxy.echo("/APP", host: "rw.test").target == "/")
                // The tutorial's form: the whole matched path becomes "/".
                #expect(try await proxy.echo("/web/page", host: "root.test").target == "/")
                #expect(try await proxy.echo("/web?a=b", host: "root.test").target == "/?a=b")
            }
        }

        @Test func theRequestTargetIsForwardedUnchanged() async throws {
            try await LiveProxy.run(echoes: ["web", "api", "other"], files: Self.appFiles) { proxy in
                for target in ["/web/a%2Fb?x=1&y=%20&z", "/web?", "/web/./x/../y?q=a?b", "/web/%7Euser;v=1?k=%E2%82%AC"] {
                    let report = try await proxy.echo(target, host: "app.test")
                    #expect(report.target == target)
                }
            }
        }

        @Test func roundRobinSpreadsRequestsOverBothEndpoints() async throws {
            try await LiveProxy.run(echoes: ["one", "two"]) { ports in
                [
                    "all.yaml": [
                        .service("pair", ports: [ports["one"]!, ports["two"]!]), .ingress("rr", host: nil, [TestPath("/", to: "pair")]),
                    ]
                ]
            } _: { proxy in
                let reply = try await proxy.curl(Array(repeating: "/rr", count: 6))
                #expect(reply.exitCode == 0)
                let names = reply.finals.map { $0.header("X-Echo-Name") ?? "none" }
                #expect(names.count == 6)
                #expect(Set(names) == ["one", "two"])
                for index in 1..<names.count {
                    #expect(names[index] != names[index - 1], "round-robin alternates: \(names)")
                }
            }
        }

        @Test func forwardingHeadersReplaceWhatTheClientClaims() async throws {
            try await LiveProxy.run(echoes: ["web", "api", "other"], files: Self.appFiles) { proxy in
                let spoofed = try await proxy.echo(
                    "/web", host: "app.test",
                    [
                        "-H", "X-Forwarded-For: 203.0.113.9", "-H", "X-Real-IP: 203.0.113.9", "-H", "X-Forwarded-Host: evil.test",
                        "-H", "X-Forwarded-Proto: https", "-H", "X-Forwarded-Port: 443", "-H", "X-Request-ID: req-123",
                    ]
                )
                #expect(spoofed.headers["x-forwarded-for"] == "127.0.0.1")
                #expect(spoofed.headers["x-real-ip"] == "127.0.0.1")
                #expect(spoofed.headers["x-forwarded-host"] == "app.test")
                #expect(spoofed.headers["x-forwarded-proto"] == "http")
                #expect(spoofed.headers["x-forwarded-port"] == String(proxy.port))
                #expect(spoofed.headers["x-request-id"] == "req-123")
                #expect(spoofed.host == "app.test")
                for name in [
                    "x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-request-id", "host",
                ] {
                    #expect(spoofed.headerList.filter { $0[0].lowercased() == name }.count == 1, "\(name) sent once")
                }

                let first = try await proxy.echo("/web", host: "app.test")
                let second = try await proxy.echo("/web", host: "app.test")
                for report in [first, second] {
                    let id = report.headers["x-request-id"] ?? ""
                    #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "generated request ID \(id)")
                }
                #expect(first.headers["x-request-id"] != second.headers["x-request-id"])
            }
        }

        @Test func trustedForwardedHeadersAreAppendedTo() async throws {
            try await LiveProxy.run(
                echoes: ["web", "api", "other"],
                configure: { $0.useForwardedHeaders = true },
                files: Self.appFiles
            ) { proxy in
                let report = try await proxy.echo(
                    "/web", host: "app.test",
                    ["-H", "X-Forwarded-For: 203.0.113.9", "-H", "X-Forwarded-Proto: https", "-H", "X-Forwarded-Host: public.test"]
                )
                #expect(report.headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1")
                #expect(report.headers["x-real-ip"] == "203.0.113.9")
                #expect(report.headers["x-forwarded-proto"] == "https")
                #expect(report.headers["x-forwarded-host"] == "public.test")
            }
        }

        @Test func hopByHopRequestHeadersAreNotForwarded() async throws {
            try await LiveProxy.run(echoes: ["web", "api", "other"], files: Self.appFiles) { proxy in
                let report = try await proxy.echo(
                    "/web", host: "app.test",
                    [
                        "-H", "Connection: keep-alive, X-Secret", "-H", "X-Secret: s", "-H", "Keep-Alive: timeout=5",
                        "-H", "TE: trailers", "-H", "Trailer: X-Checksum", "-H", "Upgrade: example/1",
                        "-H", "Proxy-Connection: keep-alive", "-H", "Proxy-Authorization: Basic eDp5", "-H", "X-Kept: yes",
                    ]
                )
                let names = Set(report.headerList.map { $0[0].lowercased() })
                for hop in ["connection", "x-secret", "keep-alive", "te", "trailer", "upgrade", "proxy-connection", "proxy-authorization"] {
                    #expect(!names.contains(hop), "\(hop) was forwarded")
                }
                #expect(report.headers["x-kept"] == "yes")
            }
        }

        @Test func hopByHopResponseHeadersAreNotForwarded() async throws {
            // The echo may not send `Connection` itself, so a raw backend names a private header in it.
            let response =
                "HTTP/1.1 200 OK\r\nConnection: X-Private\r\nX-Private: secret\r\nKeep-Alive: timeout=9\r\n"
                + "Proxy-Connection: keep-alive\r\nProxy-Authenticate: Basic\r\nTrailer: X-Sum\r\nUpgrade: example/1\r\nTE: trailers\r\nX-Public: yes\r\n"
                + "Content-Length: 2\r\n\r\nok"
            try await RawBackend.with(response: response) { raw in
                try await Self.checkHopByHopResponses(raw: raw)
            }
        }

        /// The body of ``hopByHopResponseHeadersAreNotForwarded()``, with the raw backend running.
        private static func checkHopByHopResponses(raw: RawBackend) async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                [
                    "all.yaml": [
                        .service("web", ports: [ports["web"]!]), .service("raw", ports: [raw.port]),
                        .ingress("hop", host: nil, [TestPath("/raw", to: "raw"), TestPath("/echo", to: "web")]),
                    ]
                ]
            } _: { proxy in
                let (head, body) = try await proxy.get("/raw")
                #expect(head.status == 200)
                #expect(body == Array("ok".utf8))
                #expect(head.header("X-Public") == "yes")
                for hop in ["X-Private", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Trailer", "Upgrade", "TE"] {
                    #expect(!head.has(hop), "\(hop) reached the client")
                }
                #expect(head.header("Connection") == nil)

                let echoed = try await proxy.get(
                    "/echo",
                    [
                        "-H", "X-Echo-Header-Keep-Alive: timeout=9", "-H", "X-Echo-Header-Proxy-Connection: close",
                        "-H", "X-Echo-Header-Proxy-Authenticate: Basic",
                        "-H", "X-Echo-Header-Trailer: X-Sum", "-H", "X-Echo-Header-Upgrade: example/1", "-H", "X-Echo-Header-TE: trailers",
                        "-H", "X-Echo-Header-X-Public: yes",
                    ]
                ).head
                #expect(echoed.header("X-Public") == "yes")
                for hop in ["Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Trailer", "Upgrade", "TE"] {
                    #expect(!echoed.has(hop), "\(hop) reached the client")
                }
            }
        }

        @Test func responsesCarryDateAndServer() async throws {
            let dated = "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2001 00:00:00 GMT\r\nServer: origin/1\r\nContent-Length: 2\r\n\r\nok"
            try await RawBackend.with(response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") { bare in
                try await RawBackend.with(response: dated) { dated in
                    try await Self.checkDateAndServer(bare: bare, dated: dated)
                }
            }
        }

        /// The body of ``responsesCarryDateAndServer()``, with the raw backends running.
        private static func checkDateAndServer(bare: RawBackend, dated: RawBackend) async throws {
            try await LiveProxy.run(echoes: ["web"]) { ports in
                [
                    "all.yaml": [
                        .service("web", ports: [ports["web"]!]), .service("bare", ports: [bare.port]),
                        .service("dated", ports: [dated.port]),
                        .ingress(
                            "d", host: "d.test",
                            [TestPath("/echo", to: "web"), TestPath("/bare", to: "bare"), TestPath("/dated", to: "dated")]),
                    ]
                ]
            } _: { proxy in
                let echo = try await proxy.get("/echo", host: "d.test").head
                #expect(echo.header("Server") == "gatehouse-echo")
                #expect(Self.isHTTPDate(echo.header("Date")))

                let plain = try await proxy.get("/bare", host: "d.test").head
                #expect(plain.header("Server") == "gatehouse")
                #expect(Self.isHTTPDate(plain.header("Date")))

                let kept = try await proxy.get("/dated", host: "d.test").head
                #expect(kept.header("Server") == "origin/1")
                #expect(kept.header("Date") == "Mon, 01 Jan 2001 00:00:00 GMT")
                #expect(kept.fields.filter { $0.name.lowercased() == "date" }.count == 1)

                let local = try await proxy.get("/nowhere", host: "none.test").head
                #expect(local.status == 404)
                #expect(local.header("Server") == "gatehouse")
                #expect(Self.isHTTPDate(local.header("Date")))
            }
        }

        /// Whether `value` looks like an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
        static func isHTTPDate(_ value: String?) -> Bool {
            guard let value, value.count == 29, value.hasSuffix(" GMT") else { return false }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            guard let date = formatter.date(from: value) else { return false }
            return abs(date.timeIntervalSinceNow) < 60
        }
    }
}
