import Foundation
import Testing

/// The built binary's diagnostic commands on the examples: exit codes and output, as a user or a script sees them.
struct DiagnosticsEndToEndTests {
    /// Runs `gatehouse` with `arguments`.
    static func gatehouse(_ arguments: [String]) throws -> (output: String, status: Int32) {
        try run(GatehouseProcess.binary.path, arguments)
    }

    /// A repository path.
    static func path(_ relative: String) -> String {
        GatehouseProcess.repository.appendingPathComponent(relative).path
    }

    @Test("lint exits 1 on the deny-all trap and 0 once a policy admits the controller")
    func lint() throws {
        let trap = try Self.gatehouse(["lint", "--manifests", Self.path("examples/network-policy")])
        #expect(trap.status == 1)
        #expect(
            trap.output.hasPrefix(
                "default/shop: spec.rules[0].http.paths[0].backend: NetworkPolicy blocks the controller (gatehouse/gatehouse)"))
        let fixed = try Self.gatehouse([
            "lint", "--manifests", Self.path("examples/network-policy"), Self.path("examples/network-policy-fix"),
        ])
        #expect(fixed.status == 0)
        #expect(fixed.output == "")
        let json = try Self.gatehouse(["lint", "--output", "json", "--manifests", Self.path("examples/network-policy")])
        #expect(json.status == 1)
        let entries = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: String]]
        #expect(entries?.first?["severity"] == "error")
    }

    @Test("explain prints the golden text, with the URL after the manifest paths or before them")
    func explain() throws {
        let expected = try String(
            contentsOf: GatehouseProcess.repository.appendingPathComponent("Tests/Fixtures/explain/tutorial-api-users.txt"), encoding: .utf8
        )
        let after = try Self.gatehouse(["explain", "--manifests", Self.path("examples/tutorial"), "https://api.example.com/users"])
        #expect(after.status == 0)
        #expect(after.output == expected)
        let before = try Self.gatehouse(["explain", "https://api.example.com/users", "--manifests", Self.path("examples/tutorial")])
        #expect(before.output == expected)
        let json = try Self.gatehouse(["explain", "--output", "json", "--manifests", Self.path("examples/tutorial"), "http://test.local/"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect((object?["outcome"] as? [String: Any])?["status"] as? Int == 404)
        let bad = try Self.gatehouse(["explain", "--manifests", Self.path("examples/tutorial"), "ftp://x/"])
        #expect(bad.status != 0)
    }

    @Test("lint and explain take --default-ssl-certificate as serve does: explain serves it, lint checks it")
    func defaultCertificate() async throws {
        let directory = try scratchDirectory("default-certificate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fallback = try await TestCertificate.make(
            in: directory, stem: "fallback", commonName: "fallback.example.test", dnsNames: ["fallback.example.test"])
        let expired = try await TestCertificate.make(
            in: directory, stem: "old", commonName: "old.example.test", dnsNames: ["old.example.test"], expired: true)
        let manifests = directory.appendingPathComponent("manifests.yaml")
        try Data(
            Manifests.join([
                Manifests.backend("api", port: 18080), Manifests.ingress("api", host: "api.example.test", service: "api"),
                Manifests.tlsSecret("fallback", certificate: fallback), Manifests.tlsSecret("old", certificate: expired),
            ]).utf8
        ).write(to: manifests)
        let routing = ["--manifests", manifests.path]

        let explained = try Self.gatehouse(
            ["explain"] + routing + ["--default-ssl-certificate", "default/fallback", "https://api.example.test/"])
        #expect(explained.status == 0)
        #expect(
            explained.output.contains(
                "TLS: SNI api.example.test gets the default certificate: Secret default/fallback (--default-ssl-certificate)"),
            "\(explained.output)")
        let generated = try Self.gatehouse(["explain"] + routing + ["https://api.example.test/"])
        #expect(
            generated.output.contains("TLS: SNI api.example.test gets the default certificate (generated, self-signed)"),
            "\(generated.output)")

        // A usable default certificate draws no error (at most the warning that this 30-day certificate expires soon).
        let usable = try Self.gatehouse(["lint"] + routing + ["--default-ssl-certificate", "default/fallback"])
        #expect(usable.status == 0, "\(usable.output)")
        #expect(!usable.output.contains("cannot be the default certificate"), "\(usable.output)")
        let stale = try Self.gatehouse(["lint"] + routing + ["--default-ssl-certificate", "default/old"])
        #expect(stale.status == 1)
        #expect(stale.output.contains("default/old: data: cannot be the default certificate"), "\(stale.output)")
        #expect(stale.output.contains("expired"), "\(stale.output)")
        let missing = try Self.gatehouse(["lint"] + routing + ["--default-ssl-certificate", "default/missing"])
        #expect(missing.status == 1)
        #expect(missing.output.contains("default/missing: data: cannot be the default certificate"), "\(missing.output)")
        for arguments in [["lint"] + routing, ["explain"] + routing + ["https://api.example.test/"]] {
            #expect(try Self.gatehouse(arguments).status != 64)
            let malformed = try Self.gatehouse(arguments + ["--default-ssl-certificate", "fallback"])
            #expect(malformed.status == 64, "\(arguments[0]) refuses a value that is not NAMESPACE/NAME (a usage error)")
        }
    }

    @Test("serve refuses a negative --upstream-keepalive-connections as a usage error naming the flag, before it starts")
    func upstreamKeepaliveConnections() throws {
        let manifests = ["--manifests", Self.path("examples/tutorial")]
        let negative = try run(
            GatehouseProcess.binary.path, ["serve"] + manifests + ["--upstream-keepalive-connections=-1"], withErrors: true)
        #expect(negative.status == 64, "\(negative.output)")
        #expect(negative.output.contains("--upstream-keepalive-connections must be 0 or more, not -1"), "\(negative.output)")
    }

    @Test("policy can-reach exits 0 when allowed and 1 when blocked; matrix and check print the answers")
    func policy() throws {
        let manifests = ["--manifests", Self.path("examples/network-policy")]
        let allowed = try Self.gatehouse(
            ["policy", "can-reach"] + manifests + ["--from", "default/frontend", "--to", "default/backend", "--port", "8080"])
        #expect(allowed.status == 0)
        #expect(allowed.output.hasPrefix("default/frontend -> default/backend TCP/8080: allowed\n"))
        let blocked = try Self.gatehouse(
            ["policy", "can-reach"] + manifests + ["--from", "default/other", "--to", "default/backend", "--port", "8080"])
        #expect(blocked.status == 1)
        #expect(blocked.output.hasPrefix("default/other -> default/backend TCP/8080: blocked\n"))

        let matrix = try Self.gatehouse(["policy", "matrix"] + manifests + ["--port", "8080"])
        #expect(matrix.status == 0)
        #expect(matrix.output.contains("default/frontend .                .                X\n"))

        let queries = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-queries-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: queries) }
        try Data(
            #"[{"from": "default/frontend", "to": "default/backend", "port": 8080}, {"from": "default/other", "to": "default/backend", "port": 8080}]"#
                .utf8
        )
        .write(to: queries)
        let check = try Self.gatehouse(["policy", "check"] + manifests + ["--queries", queries.path])
        #expect(check.status == 0)
        let answers = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [[String: Any]]
        #expect(answers?.map { $0["allowed"] as? Bool } == [true, false])
    }
}
