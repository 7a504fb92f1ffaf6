import Foundation
import Testing

/// Runs the real `gatehouse` binary on `examples/tutorial/` (with its demo backends) and checks that every
/// `$ curl …` line of the README prints what the README says (name of the answering Pod, target, host, method).
@Suite(.serialized)
struct TutorialEndToEndTests {
    /// The `$ curl` lines of the README's tutorial block and the output line under each.
    static func readmeExamples() throws -> [(command: String, expected: String)] {
        let readme = try String(contentsOf: GatehouseProcess.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var examples: [(String, String)] = []
        for (index, line) in lines.enumerated() where line.hasPrefix("$ curl ") && index + 1 < lines.count {
            examples.append((String(line.dropFirst(2)), lines[index + 1]))
        }
        return examples
    }

    /// Splits a README curl line into arguments (single-quoted words kept whole), pointing it at `port`.
    static func arguments(of command: String, port: Int) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in command {
            if character == "'" {
                quoted.toggle()
                started = true
            } else if character == " " && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return Array(words.dropFirst()).map { $0.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)") }
    }

    @Test("the README's tutorial curl lines print what the README shows")
    func readmeCurlLines() throws {
        let examples = try Self.readmeExamples()
        #expect(examples.count >= 4, "the README shows the tutorial's curl lines")
        let gatehouse = try GatehouseProcess([
            "serve", "--manifests", GatehouseProcess.repository.appendingPathComponent("examples/tutorial").path,
            "--demo-backends", "--bind", "127.0.0.1", "--http-port", "0", "--admin-port", "0",
        ])
        defer { gatehouse.stop() }
        let port = try gatehouse.port(of: "protocol=http")
        let adminPort = try gatehouse.port(of: "admin listening")
        try waitUntilReady(adminPort: adminPort, log: { gatehouse.output })
        for (command, expectedLine) in examples {
            let (output, status) = try run("/usr/bin/curl", Self.arguments(of: command, port: port))
            #expect(status == 0, "\(command) failed")
            let expected = try JSONSerialization.jsonObject(with: Data(expectedLine.utf8)) as? [String: Any]
            let actual = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            for key in ["target", "host", "method", "path", "query"] {
                #expect("\(actual?[key] ?? "nil")" == "\(expected?[key] ?? "nil")", "\(command): \(key)")
            }
            // The answering Pod: the same Deployment (round-robin may pick the other replica of `web`).
            let expectedName = (expected?["name"] as? String ?? "").split(separator: "-").dropLast(2).joined(separator: "-")
            let actualName = (actual?["name"] as? String ?? "").split(separator: "-").dropLast(2).joined(separator: "-")
            #expect(!expectedName.isEmpty && actualName == expectedName, "\(command): answered by \(actual?["name"] ?? "nobody")")
        }
    }

    @Test("lint accepts the tutorial and rejects a broken Ingress with its field path")
    func lint() throws {
        let clean = try run(GatehouseProcess.binary.path, ["lint", "--manifests", GatehouseProcess.repository.appendingPathComponent("examples/tutorial").path])
        #expect(clean.status == 0, "lint output: \(clean.output)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: broken
          namespace: shop
        spec:
          rules:
          - host: Shop.Example.com
            http:
              paths:
              - path: cart
                pathType: Prefix
                backend:
                  service:
                    name: cart
                    port:
                      number: 80
        """.write(to: directory.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let broken = try run(GatehouseProcess.binary.path, ["lint", "--manifests", directory.path])
        #expect(broken.status == 1)
        #expect(broken.output.contains("shop/broken: spec.rules[0].host: Invalid value: \"Shop.Example.com\""))
        #expect(broken.output.contains("shop/broken: spec.rules[0].http.paths[0].path: Invalid value: \"cart\": must be an absolute path"))
    }

    /// Polls `/readyz` until it answers 200 (bounded).
    func waitUntilReady(adminPort: Int, log: () -> String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let (output, _) = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(adminPort)/readyz"])
            if output == "200" { return }
            Thread.sleep(forTimeInterval: 0.05)  // polling a condition, bounded by `deadline`
        }
        throw GatehouseProcessError.notReady(log: log())
    }
}
