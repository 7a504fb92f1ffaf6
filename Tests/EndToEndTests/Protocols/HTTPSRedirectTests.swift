import Foundation
import Testing

/// HTTP → HTTPS redirects as ingress-nginx does them, from curl against the real binary: `308` to the same URL on
/// the HTTPS port for hosts with a `tls` section, `ssl-redirect: "false"` turning it off, `force-ssl-redirect:
/// "true"` turning it on without a `tls` section; HTTPS requests are never redirected.
struct HTTPSRedirectTests {
    @Test("308 with the right Location for TLS hosts; ssl-redirect false and force-ssl-redirect true")
    func redirects() async throws {
        let scenario = try await EchoScenario.start(extra: [
            Manifests.ingress(
                "no-redirect", host: "noredirect.example.test", service: "api", tls: [(["noredirect.example.test"], "api-tls")],
                annotations: ["ssl-redirect": "false"]),
            Manifests.ingress("forced", host: "forced.example.test", service: "api", annotations: ["force-ssl-redirect": "true"]),
        ])
        defer { scenario.stop() }
        let http = scenario.gatehouse.httpPort
        let https = scenario.gatehouse.httpsPort

        func head(_ host: String, _ target: String, method: [String] = []) async throws -> (status: String, location: String) {
            let result = try await scenario.curl(
                method + [
                    "-o", "/dev/null", "-H", "Host: \(host)", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(http)\(target)",
                ])
            let parts = result.output.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }

        let tls = try await head(EchoScenario.host, "/users/7?expand=items&x=%2F")
        #expect(tls.status == "308")
        #expect(tls.location == "https://\(EchoScenario.host):\(https)/users/7?expand=items&x=%2F")
        let post = try await head(EchoScenario.host, "/form", method: ["-X", "POST", "--data", "a=1"])
        #expect(post.status == "308", "308 keeps the method: POST is redirected too")
        let withPort = try await head("\(EchoScenario.host):\(http)", "/p")
        #expect(withPort.location == "https://\(EchoScenario.host):\(https)/p", "the Host's port is replaced: \(withPort.location)")

        let optedOut = try await head("noredirect.example.test", "/x")
        #expect(optedOut.status == "200", "ssl-redirect: \"false\" serves plain HTTP")
        let forced = try await head("forced.example.test", "/y?z=1")
        #expect(forced.status == "308")
        #expect(forced.location == "https://forced.example.test:\(https)/y?z=1")
        let plain = try await head("plain.example.test", "/")
        #expect(plain.status == "200", "hosts without tls are not redirected")

        // Following the redirect lands on HTTPS and the backend.
        let followed = try await scenario.curl(
            scenario.tlsOptions() + ["-L", "-w", "\n%{http_code} %{url_effective}", "http://\(EchoScenario.host):\(http)/follow"]
                + ["--resolve", "\(EchoScenario.host):\(http):127.0.0.1"])
        #expect(followed.output.hasSuffix("200 https://\(EchoScenario.host):\(https)/follow"), "\(followed.output) \(followed.errors)")
        // HTTPS itself is never redirected.
        let direct = try await scenario.curl(scenario.tlsOptions() + ["-o", "/dev/null", "-w", "%{http_code}", scenario.httpsURL("/")])
        #expect(direct.output == "200")
    }
}
