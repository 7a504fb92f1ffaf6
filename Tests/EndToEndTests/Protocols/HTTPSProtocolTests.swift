import Foundation
import Testing

/// HTTPS and HTTP/2 from real clients against the real binary: curl over TLS with HTTP/2 and HTTP/1.1, ALPN as
/// openssl sees it, TLS versions and session resumption, h2c with prior knowledge on the plain port, and h2load with
/// many concurrent streams.
@Suite(.serialized)
struct HTTPSProtocolTests {
    @Test("curl --http2 and --http1.1 over TLS reach the backend with the Host header, not the SNI, deciding the route")
    func curlOverTLS() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        for (flag, version) in [("--http2", "2"), ("--http1.1", "1.1")] {
            let result = try await scenario.curl(
                scenario.tlsOptions() + [flag, "-w", "\n%{http_code} %{http_version}", scenario.httpsURL("/users/7?x=1")])
            #expect(result.status == 0, "curl \(flag): \(result.errors)")
            let (body, trailer) = Self.splitWriteOut(result.output)
            #expect(trailer == "200 \(version)", "curl \(flag): \(trailer)")
            let answer = try EchoAnswer(body)
            #expect(answer["target"] == "/users/7?x=1")
            // The Host (or :authority) is forwarded as the client sent it, port included, as ingress-nginx does.
            #expect(answer.header("host") == "\(EchoScenario.host):\(scenario.gatehouse.httpsPort)")
            #expect(answer.header("x-forwarded-proto") == "https")
            #expect(answer["version"] == "HTTP/1.1", "the backend is spoken to in HTTP/1.1")
        }
        // SNI says api.example.test, the Host header says plain.example.test: the route follows the Host header.
        let routed = try await scenario.curl(
            scenario.tlsOptions() + ["--http2", "-H", "Host: plain.example.test", "-w", "\n%{http_code}", scenario.httpsURL("/x")])
        let (body, status) = Self.splitWriteOut(routed.output)
        #expect(status == "200")
        #expect(try EchoAnswer(body).header("host") == "plain.example.test")
    }

    @Test("request and response bodies stream through HTTP/2 streams intact")
    func http2Bodies() async throws {
        let scenario = try await EchoScenario.start(annotations: ["proxy-body-size": "8m"])
        defer { scenario.stop() }
        let upload = scenario.directory.appendingPathComponent("upload.bin")
        // Three times the stream's 1 MiB receive window: the proxy must hand the window back as the body flows.
        var bytes = [UInt8](repeating: 0, count: 3_000_000)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 7 &+ index >> 9) }
        try Data(bytes).write(to: upload)
        let posted = try await scenario.curl(
            scenario.tlsOptions() + [
                "--http2", "--data-binary", "@\(upload.path)", "-H", "Content-Type: application/octet-stream",
                scenario.httpsURL("/upload"),
            ])
        #expect(posted.status == 0, "\(posted.errors)")
        let answer = try EchoAnswer(posted.output)
        #expect(answer.bodyBytes == bytes.count)
        #expect(answer["bodyFNV1a64"] == Self.fnv1a64(bytes))
        #expect(answer["method"] == "POST")

        // A 3 MiB response over HTTP/2 (larger than every flow-control window).
        let download = try await scenario.curl(
            scenario.tlsOptions() + [
                "--http2", "-H", "X-Echo-Response-Bytes: 3145728", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                scenario.httpsURL("/download"),
            ])
        #expect(download.output == "200 3145728", "\(download.output) \(download.errors)")
    }

    @Test("ALPN offers h2 and http/1.1; TLS 1.2 and 1.3 work, older versions do not; sessions resume")
    func alpnVersionsAndResumption() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let port = scenario.gatehouse.httpsPort
        let host = EchoScenario.host
        let h2 = try await SClient.certificate(port: port, serverName: host, extra: ["-alpn", "h2,http/1.1"])
        #expect(h2.alpn == "h2", "\(h2.transcript.suffix(600))")
        let http11 = try await SClient.certificate(port: port, serverName: host, extra: ["-alpn", "http/1.1"])
        #expect(http11.alpn == "http/1.1")
        let none = try await SClient.certificate(port: port, serverName: host)
        #expect(none.alpn == nil && none.transcript.contains("No ALPN negotiated"))
        let unknown = try await SClient.attempt(port: port, serverName: host, extra: ["-alpn", "spdy/3"])
        #expect(!unknown.output.contains("ALPN protocol: spdy"))

        let tls13 = try await SClient.certificate(port: port, serverName: host, extra: ["-tls1_3"])
        #expect(tls13.version == "TLSv1.3", "\(tls13.transcript.suffix(800))")
        let tls12 = try await SClient.certificate(port: port, serverName: host, extra: ["-tls1_2"])
        #expect(tls12.version == "TLSv1.2", "\(tls12.transcript.suffix(800))")
        #expect(tls12.fingerprint == scenario.certificate.fingerprint)
        let staticRSA = try await SClient.attempt(port: port, serverName: host, extra: ["-tls1_2", "-cipher", "AES128-SHA"])
        #expect(!staticRSA.output.contains("-----BEGIN CERTIFICATE-----"), "TLS 1.2 without forward secrecy must be refused")
        let cbc = try await SClient.attempt(port: port, serverName: host, extra: ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"])
        #expect(!cbc.output.contains("-----BEGIN CERTIFICATE-----"), "TLS 1.2 CBC suites must be refused")
        let tls11 = try await SClient.attempt(port: port, serverName: host, extra: ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        #expect(tls11.status != 0 && !tls11.output.contains("-----BEGIN CERTIFICATE-----"), "TLS 1.1 must be refused")

        // Session resumption (TLS 1.2 session tickets, then TLS 1.3 tickets). s_client sends a request and waits for
        // the server to close (`-ign_eof`), so it reads the tickets that TLS 1.3 sends after the handshake.
        let request = Array("GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        for version in ["-tls1_2", "-tls1_3"] {
            let session = scenario.directory.appendingPathComponent("session\(version)")
            let first = try await SClient.certificate(
                port: port, serverName: host, extra: [version, "-ign_eof", "-sess_out", session.path], input: request)
            #expect(!first.resumed)
            #expect(first.transcript.contains("HTTP/1.1 200"), "\(first.transcript.suffix(600))")
            let second = try await SClient.certificate(
                port: port, serverName: host, extra: [version, "-ign_eof", "-sess_in", session.path], input: request)
            #expect(second.resumed, "\(version): \(second.transcript.suffix(1200))")
        }
    }

    @Test("the server's cipher order: TLS 1.3 AES-128-GCM before AES-256-GCM, ChaCha20 for a client that asks for it first")
    func cipherSuiteOrder() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let port = scenario.gatehouse.httpsPort
        let host = EchoScenario.host
        func cipher(_ extra: [String]) async throws -> String? {
            let presented = try await SClient.certificate(port: port, serverName: host, extra: extra)
            return presented.cipher
        }
        // Without AES hardware the server keeps BoringSSL's TLS 1.3 order, ChaCha20-Poly1305 first.
        let aesHardware = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" aes ") ?? false
        // OpenSSL's own order puts AES-256-GCM first, then ChaCha20-Poly1305, then AES-128-GCM.
        #expect(try await cipher(["-tls1_3"]) == (aesHardware ? "TLS_AES_128_GCM_SHA256" : "TLS_CHACHA20_POLY1305_SHA256"))
        let aes256First = ["-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"]
        #expect(try await cipher(["-tls1_3"] + aes256First) == (aesHardware ? "TLS_AES_128_GCM_SHA256" : "TLS_AES_256_GCM_SHA384"))
        let chachaFirst = ["-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"]
        #expect(try await cipher(["-tls1_3"] + chachaFirst) == "TLS_CHACHA20_POLY1305_SHA256")
        #expect(try await cipher(["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"]) == "TLS_AES_256_GCM_SHA384")
        // TLS 1.2: the configured order, whatever the client lists first.
        let tls12 = ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256"]
        #expect(try await cipher(tls12) == "ECDHE-ECDSA-AES128-GCM-SHA256")
    }

    @Test("h2c with prior knowledge on the plain HTTP port, several streams on one connection")
    func h2cPriorKnowledge() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        // One URL per curl: curl 7.88 cannot reuse a prior-knowledge connection (curl issue 10634, fixed in 8.0).
        let result = try await scenario.curl([
            "--http2-prior-knowledge", "-H", "Host: plain.example.test", "-w", "\n%{http_code} %{http_version}",
            "http://127.0.0.1:\(scenario.gatehouse.httpPort)/h2c",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let (body, trailer) = Self.splitWriteOut(result.output)
        #expect(trailer == "200 2")
        #expect(try EchoAnswer(body).header("x-forwarded-proto") == "http")
        // nghttp sends three requests as concurrent streams of one h2c connection.
        let base = "http://127.0.0.1:\(scenario.gatehouse.httpPort)"
        let nghttp = try await Tool.run(
            "nghttp", ["-v", "-H", ":authority: plain.example.test", "\(base)/one", "\(base)/two", "\(base)/three"], timeout: .seconds(60))
        #expect(nghttp.status == 0, "\(nghttp.output.suffix(2000)) \(nghttp.errors)")
        #expect(nghttp.output.components(separatedBy: ":status: 200").count == 4, "\(nghttp.output.suffix(3000))")
        for path in ["/one", "/two", "/three"] { #expect(nghttp.output.contains("\"target\":\"\(path)\"")) }
        // Each response ends on the DATA frame of its body (END_STREAM set there), not on an empty DATA frame after it.
        #expect(nghttp.output.components(separatedBy: "recv DATA frame").count == 4, "\(nghttp.output.suffix(3000))")
        #expect(!nghttp.output.contains("recv DATA frame <length=0"), "\(nghttp.output.suffix(3000))")
    }

    @Test("h2load: many concurrent streams over TLS and over h2c, and concurrent uploads on one connection, complete without errors")
    func h2load() async throws {
        let scenario = try await EchoScenario.start(annotations: ["proxy-body-size": "8m"])
        defer { scenario.stop() }
        let tls = try await Tool.run(
            "h2load",
            ["-n", "2000", "-c", "4", "-m", "50", "--connect-to=127.0.0.1:\(scenario.gatehouse.httpsPort)", scenario.httpsURL("/load")],
            timeout: .seconds(300)
        )
        let tlsSummary = H2LoadSummary(tls.output)
        #expect(tls.status == 0, "\(tls.output)\(tls.errors)")
        #expect(tlsSummary.succeeded == 2000 && tlsSummary.failed == 0 && tlsSummary.errored == 0, "\(tls.output)")
        #expect(tlsSummary.status2xx == 2000, "\(tls.output)")
        #expect(tls.output.contains("Application protocol: h2"))
        print("h2load over TLS: \(tlsSummary.line)")

        let h2c = try await Tool.run(
            "h2load",
            [
                "-n", "1000", "-c", "2", "-m", "50", "-H", "Host: plain.example.test",
                "http://127.0.0.1:\(scenario.gatehouse.httpPort)/load",
            ],
            timeout: .seconds(300)
        )
        let h2cSummary = H2LoadSummary(h2c.output)
        #expect(h2cSummary.succeeded == 1000 && h2cSummary.failed == 0 && h2cSummary.errored == 0, "\(h2c.output)")
        print("h2load over h2c: \(h2cSummary.line)")

        // Uploads on one connection, four at a time: 24 MB in all, far beyond the connection's and each stream's
        // receive window, which the proxy hands back as the bodies reach the backend.
        let upload = scenario.directory.appendingPathComponent("h2load-upload.bin")
        try Data(repeating: 0x5a, count: 2_000_000).write(to: upload)
        let uploads = try await Tool.run(
            "h2load",
            [
                "-n", "12", "-c", "1", "-m", "4", "-d", upload.path,
                "--connect-to=127.0.0.1:\(scenario.gatehouse.httpsPort)", scenario.httpsURL("/upload"),
            ],
            timeout: .seconds(300)
        )
        let uploadSummary = H2LoadSummary(uploads.output)
        #expect(uploadSummary.succeeded == 12 && uploadSummary.status2xx == 12, "\(uploads.output)\(uploads.errors)")
        #expect(scenario.gatehouse.process.isRunning)
    }

    @Test(
        "HTTP/2 clients get the backend's response as HTTP/2: chunked bodies whole, HEAD and 204 without a body, hop-by-hop fields dropped")
    func http2ResponseShapes() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let url = "http://127.0.0.1:\(scenario.gatehouse.httpPort)/shapes"
        let base = ["--http2-prior-knowledge", "-H", "Host: plain.example.test", "-D", "-", "-o", "/dev/null"]
        /// The status, the lowercased header lines and the body size of one response.
        func fetch(_ extra: [String]) async throws -> (status: String, headers: [String], size: String) {
            let result = try await scenario.curl(base + extra + ["-w", "\n%{http_code} %{size_download} %{http_version}", url])
            #expect(result.status == 0, "\(extra): \(result.errors)")
            let (head, writeOut) = Self.splitWriteOut(result.output)
            let parts = writeOut.split(separator: " ").map(String.init)
            #expect(parts.last == "2", "\(extra): \(writeOut)")
            let lines = head.split(whereSeparator: \.isNewline).map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            return (parts.first ?? "", lines, parts.dropFirst().first ?? "")
        }

        // A chunked backend body several reads long arrives whole, framed by HTTP/2 alone.
        let chunked = try await fetch(["-H", "X-Echo-Chunked: true", "-H", "X-Echo-Response-Bytes: 70000"])
        #expect(chunked.status == "200" && chunked.size == "70000", "\(chunked)")
        #expect(!chunked.headers.contains { $0.hasPrefix("transfer-encoding") }, "\(chunked.headers)")
        #expect(chunked.headers.contains { $0.hasPrefix("date: ") } && chunked.headers.contains { $0.hasPrefix("server: ") })

        // HEAD: the length of what GET would send, no body.
        let head = try await fetch(["-I", "-H", "X-Echo-Response-Bytes: 100"])
        #expect(head.status == "200" && head.size == "0", "\(head)")
        #expect(head.headers.contains("content-length: 100"), "\(head.headers)")

        // 204: no body, and the stream still ends.
        let empty = try await fetch(["-H", "X-Echo-Status: 204"])
        #expect(empty.status == "204" && empty.size == "0", "\(empty)")

        // The backend's hop-by-hop fields stay behind; its own Server and other fields pass.
        let fields = try await fetch([
            "-H", "X-Echo-Header-Keep-Alive: timeout=5", "-H", "X-Echo-Header-Proxy-Connection: keep-alive",
            "-H", "X-Echo-Header-Server: echo-custom", "-H", "X-Echo-Header-X-Kept: yes",
        ])
        #expect(fields.status == "200", "\(fields)")
        #expect(fields.headers.contains("server: echo-custom") && fields.headers.contains("x-kept: yes"), "\(fields.headers)")
        #expect(!fields.headers.contains { $0.hasPrefix("keep-alive") || $0.hasPrefix("proxy-connection") }, "\(fields.headers)")
        #expect(fields.headers.filter { $0.hasPrefix("server:") }.count == 1, "\(fields.headers)")

        // A body-less response is one HEADERS frame carrying END_STREAM (flags 0x05: END_STREAM | END_HEADERS).
        let nghttp = try await Tool.run(
            "nghttp", ["-v", "-H", ":authority: plain.example.test", "-H", "x-echo-status: 204", url], timeout: .seconds(60))
        #expect(nghttp.status == 0, "\(nghttp.errors)")
        let received = nghttp.output.split(whereSeparator: \.isNewline).filter { $0.contains("recv HEADERS frame") }
        #expect(received.count == 1 && received.allSatisfy { $0.contains("flags=0x05") }, "\(nghttp.output.suffix(2000))")
        #expect(!nghttp.output.contains("recv DATA frame"), "\(nghttp.output.suffix(2000))")

        // Fields whose values repeat (server, content-type) are indexed: the second response's header block on the
        // connection is shorter than the first one's.
        let twice = try await Tool.run(
            "nghttp", ["-v", "-H", ":authority: plain.example.test", url + "?a", url + "?b"], timeout: .seconds(60))
        #expect(twice.status == 0, "\(twice.errors)")
        let lengths = twice.output.split(whereSeparator: \.isNewline).filter { $0.contains("recv HEADERS frame") }.compactMap { line in
            line.split(separator: "length=").last?.split(separator: ",").first.flatMap { Int($0) }
        }
        #expect(lengths.count == 2 && lengths[1] < lengths[0], "\(lengths) \(twice.output.suffix(3000))")
    }

    /// Splits curl output into the body and the `--write-out` text after the last newline.
    static func splitWriteOut(_ output: String) -> (body: String, writeOut: String) {
        guard let newline = output.lastIndex(of: "\n") else { return ("", output) }
        return (String(output[..<newline]), String(output[output.index(after: newline)...]))
    }

    /// FNV-1a 64 of `bytes` as 16 hex digits (what the echo backend reports).
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The `requests:` and `status codes:` lines of h2load's summary.
struct H2LoadSummary {
    /// The requests line as printed.
    var line = ""
    var total = -1
    var succeeded = -1
    var failed = -1
    var errored = -1
    var status2xx = -1

    init(_ output: String) {
        for row in output.split(separator: "\n") {
            let text = row.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("requests:") {
                line = text
                total = Self.number(before: " total", in: text)
                succeeded = Self.number(before: " succeeded", in: text)
                failed = Self.number(before: " failed", in: text)
                errored = Self.number(before: " errored", in: text)
            } else if text.hasPrefix("status codes:") {
                status2xx = Self.number(before: " 2xx", in: text)
            }
        }
    }

    /// The integer just before `marker` in `text`.
    static func number(before marker: String, in text: String) -> Int {
        guard let range = text.range(of: marker) else { return -1 }
        let digits = text[..<range.lowerBound].reversed().prefix { $0.isNumber }
        return Int(String(digits.reversed())) ?? -1
    }
}
