import Foundation
import KubeModel
import Routing
import Testing
import Yams

/// Golden translation fixtures: `Fixtures/<case>.yaml` (manifests, plus one `kind: Fixture` document with
/// controller options and request probes) beside `<case>.expected.json` (the snapshot and the probes' outcomes).
/// Set `GATEHOUSE_REGENERATE_FIXTURES=1` to rewrite the expected files, then review the diff.
struct GoldenFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The `kind: Fixture` document: options and probe URLs.
    struct FixtureSpec: Decodable {
        struct Options: Decodable {
            var ingressClasses: [String]?
            var controllerClass: String?
            var watchIngressWithoutClass: Bool?
        }
        var options: Options?
        var requests: [String]?
    }

    /// A fixture's snapshot, built with its options, and its `kind: Fixture` document.
    static func build(_ name: String) throws -> (RoutingSnapshot, FixtureSpec) {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".yaml"), encoding: .utf8)
        var spec = FixtureSpec()
        for node in try Yams.compose_all(yaml: text) where node["kind"]?.string == "Fixture" {
            spec = try YAMLDecoder().decode(FixtureSpec.self, from: node)
        }
        var options = RoutingOptions(ingressClasses: ["gatehouse", "nginx"])
        if let classes = spec.options?.ingressClasses { options.ingressClasses = Set(classes) }
        if let controller = spec.options?.controllerClass { options.controllerClass = controller }
        if let watch = spec.options?.watchIngressWithoutClass { options.watchIngressWithoutClass = watch }
        var store = ManifestStore()
        store.update(path: name + ".yaml", text: text)
        let state = store.admit(now: "2026-01-01T00:00:00Z")
        return (SnapshotBuilder(state: state, options: options).build(version: 1), spec)
    }

    static func render(_ name: String) throws -> String {
        let (snapshot, spec) = try build(name)
        var result = SnapshotDescription.dictionary(snapshot)
        var probes: [String: Any] = [:]
        for request in spec.requests ?? [] {
            let (host, target) = Self.split(request)
            probes[request] = SnapshotDescription.describe(snapshot.resolve(host: host, target: target), in: snapshot)
        }
        result["probes"] = probes
        return SnapshotDescription.json(result)
    }

    /// Splits `http://host[:port]/target` into the Host header value and the origin-form target.
    static func split(_ url: String) -> (String, String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        guard let slash = rest.firstIndex(of: "/") else { return (String(rest), "/") }
        return (String(rest[..<slash]), String(rest[slash...]))
    }

    @Test("golden fixture", arguments: GoldenFixtureTests.cases)
    func fixture(_ name: String) throws {
        let actual = try Self.render(name)
        let expectedURL = Self.directory.appendingPathComponent(name + ".expected.json")
        if ProcessInfo.processInfo.environment["GATEHOUSE_REGENERATE_FIXTURES"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "fixture \(name) differs from \(name).expected.json")
    }

    @Test("one host memo carried through every probe of a fixture, forwards then backwards, routes as a lookup without it")
    func hostMemoRoutesAsAPlainLookup() throws {
        var compared = 0
        for name in Self.cases {
            let (snapshot, spec) = try Self.build(name)
            let table = snapshot.routeTable
            let requests = spec.requests ?? []
            var memo = HostRoutesMemo()
            for request in requests + requests.reversed() {
                let (rawHost, target) = Self.split(request)
                guard let (path, _) = RequestPath.split(Substring(target)) else { continue }
                let host = RequestHost.normalize(Substring(rawHost))
                let plain = table.match(host: host, path: path)
                let remembered = table.match(host: host, path: path, memo: &memo)
                #expect(plain?.source == remembered?.source, "\(name): \(request)")
                #expect(plain?.backend == remembered?.backend, "\(name): \(request)")
                compared += 1
            }
        }
        #expect(compared > 100)
    }

    @Test("there are at least 40 fixtures")
    func enoughFixtures() {
        #expect(Self.cases.count >= 40)
    }
}
