import Foundation
import Gatehouse
import Routing
import Testing

/// `gatehouse explain` golden outputs for the examples, text and JSON: `Tests/Fixtures/explain/<case>.txt` and
/// `<case>.json` (kept outside the test target's folder so SwiftPM does not warn about unhandled files).
/// Set `GATEHOUSE_REGENERATE_FIXTURES=1` to rewrite them, then review the diff.
struct ExplainGoldenTests {
    /// One request on some example directories.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var manifests: [String]
        var url: String

        var testDescription: String { name }
    }

    static let directory = DiagnosticsSupport.repository.appendingPathComponent("Tests/Fixtures/explain")

    static let cases: [Case] = [
        Case(name: "tutorial-api-users", manifests: ["examples/tutorial"], url: "https://api.example.com/users"),
        Case(name: "tutorial-api-orders-query", manifests: ["examples/tutorial"], url: "http://api.example.com/orders/42?expand=items"),
        Case(name: "tutorial-test-local-web", manifests: ["examples/tutorial"], url: "http://test.local/web"),
        Case(name: "tutorial-web-example", manifests: ["examples/tutorial"], url: "http://web.example.com/"),
        Case(name: "tutorial-no-matching-path", manifests: ["examples/tutorial"], url: "http://test.local/"),
        Case(name: "tutorial-unknown-host", manifests: ["examples/tutorial"], url: "http://api.example.org/users"),
        Case(name: "network-policy-shop-blocked", manifests: ["examples/network-policy"], url: "http://shop.example.com/"),
        Case(
            name: "network-policy-shop-fixed", manifests: ["examples/network-policy", "examples/network-policy-fix"],
            url: "https://shop.example.com/cart"),
    ]

    /// The explanation of a case as the CLI computes it (controller identity from the manifests, default flags).
    static func explain(_ testCase: Case) throws -> Explanation {
        let state = DiagnosticsSupport.load(testCase.manifests)
        let options = ExplainOptions(
            routing: DiagnosticsSupport.routing, controller: ControllerIdentity.resolve(in: state, namespace: nil, labels: nil))
        return try Diagnostics.explain(state: state, options: options, url: testCase.url, now: DiagnosticsSupport.now)
    }

    @Test("explain golden output", arguments: ExplainGoldenTests.cases)
    func golden(_ testCase: Case) throws {
        let explanation = try Self.explain(testCase)
        let outputs = [("txt", explanation.text), ("json", Diagnostics.json(explanation))]
        for (suffix, actual) in outputs {
            let url = Self.directory.appendingPathComponent("\(testCase.name).\(suffix)")
            if ProcessInfo.processInfo.environment["GATEHOUSE_REGENERATE_FIXTURES"] == "1" {
                try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            #expect(actual == expected, "\(testCase.name).\(suffix) differs")
        }
        let decoded = try JSONDecoder().decode(Explanation.self, from: Data(Diagnostics.json(explanation).utf8))
        #expect(decoded == explanation, "the JSON form carries the whole explanation")
    }

    @Test("every fixture file belongs to a case")
    func noStaleFixtures() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted()
        let expected = Self.cases.flatMap { ["\($0.name).json", "\($0.name).txt"] }.sorted()
        #expect(names == expected)
    }

    @Test("the tutorial's request draws the tutorial's picture")
    func tutorialPicture() throws {
        let explanation = try Self.explain(Self.cases[0])
        #expect(explanation.rule.matched?.ingress == "default/my-ingress")
        #expect(explanation.rule.matched?.path == "/users")
        #expect(explanation.service?.service == "default/user-service")
        #expect(explanation.endpoints?.next == "127.0.0.1:18083")
        #expect(explanation.endpoints?.items.first?.pod == "default/user-service-5f6d4b8c9-7hv2n")
        #expect(explanation.endpoints?.items.first?.networkPolicy == EndpointAccess(.allowed, "no NetworkPolicy in the manifests"))
        #expect(explanation.outcome.summary == "proxied to 127.0.0.1:18083 (Pod default/user-service-5f6d4b8c9-7hv2n) as GET /")
    }

    @Test("after deny-all the controller is blocked from the shop backend; the fix admits it")
    func networkPolicyPicture() throws {
        let blocked = try #require(try Self.explain(Self.cases[6]).endpoints?.items.first?.networkPolicy)
        #expect(blocked.outcome == .blocked)
        #expect(
            blocked.reason
                == "egress of gatehouse/gatehouse: not isolated (no policy selects it for egress); ingress of default/backend: isolated by allow-frontend, deny-all; denied: no ingress rule admits it"
        )
        let fixed = try #require(try Self.explain(Self.cases[7]).endpoints?.items.first?.networkPolicy)
        #expect(fixed.outcome == .allowed)
        #expect(fixed.reason.hasSuffix("admitted by allow-gatehouse spec.ingress[0] (from[0], ports[0])"))
    }
}
