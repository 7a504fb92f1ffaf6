import KubeModel
import Routing
import Testing

/// Incremental admission (``ManifestStore`` decides again only for the objects of changed files) against the full
/// admission it replaced (``FullAdmissionStore``): the same random edit sequences must give the same states and
/// the same problems after every admission.
struct IncrementalAdmissionTests {
    /// A small deterministic generator, so a failing sequence can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One random document: valid and invalid Ingresses (some dated), Services (some that fail to decode),
    /// EndpointSlices moving between Services, from a small set of names so that files collide.
    static func document(_ random: inout Generator) -> String {
        let name = ["web", "api", "shop"].randomElement(using: &random) ?? "web"
        let namespace = ["", "namespace: team\n  "].randomElement(using: &random) ?? ""
        switch Int.random(in: 0..<7, using: &random) {
        case 0, 1:
            let path = ["/", "/v1", "/v2", "relative"].randomElement(using: &random) ?? "/"
            let created = Bool.random(using: &random) ? "creationTimestamp: \"2024-05-05T05:05:05Z\"\n  " : ""
            return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  \(namespace)\(created)name: \(name)
                spec:
                  rules:
                  - host: example.com
                    http:
                      paths:
                      - {path: "\(path)", pathType: Prefix, backend: {service: {name: \(name), port: {number: 80}}}}

                """
        case 2, 3:
            let port = ["80", "8080", "http", "0"].randomElement(using: &random) ?? "80"  // http: fails decoding; 0: invalid
            return "apiVersion: v1\nkind: Service\nmetadata:\n  \(namespace)name: \(name)\nspec: {ports: [{port: \(port)}]}\n"
        case 4, 5:
            let service = ["web", "api"].randomElement(using: &random) ?? "web"
            let address = ["10.0.0.1", "10.0.0.2", "not-an-ip"].randomElement(using: &random) ?? "10.0.0.1"
            return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  \(namespace)name: \(name)-slice
                  labels: {kubernetes.io/service-name: \(service)}
                addressType: IPv4
                ports: [{name: "", port: 8080}]
                endpoints: [{addresses: ["\(address)"]}]

                """
        default:
            return "apiVersion: v1\nkind: Secret\nmetadata:\n  \(namespace)name: \(name)\ntype: Opaque\n"
        }
    }

    /// The state without its problems, and the problems sorted (the full admission lists them in no set order).
    static func normalized(_ state: ClusterState) -> (ClusterState, [ConfigIssue]) {
        var objects = state
        objects.admissionIssues = []
        return (objects, state.admissionIssues.sorted())
    }

    @Test("incremental admission agrees with full admission on random edit sequences", arguments: 1...40)
    func randomEdits(seed: Int) {
        var random = Generator(state: UInt64(seed))
        var incremental = ManifestStore()
        var reference = FullAdmissionStore()
        let paths = ["a.yaml", "b.yaml", "c.yaml", "d/e.yaml"]
        var minute = 0
        for step in 0..<60 {
            let path = paths.randomElement(using: &random) ?? "a.yaml"
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                incremental.remove(path: path)
                reference.remove(path: path)
            case 1:
                // a half-written file: a complete first document, then a syntax error
                let text = Self.document(&random) + "---\nkind: [unclosed\n"
                incremental.update(path: path, text: text)
                reference.update(path: path, text: text)
            default:
                let count = Int.random(in: 0...4, using: &random)
                let text = (0..<count).map { _ in Self.document(&random) }.joined(separator: "---\n")
                incremental.update(path: path, text: text)
                reference.update(path: path, text: text)
            }
            guard Int.random(in: 0..<3, using: &random) == 0 || step == 59 else { continue }
            minute += 1
            let now = "2026-01-01T00:\(minute < 10 ? "0" : "")\(minute):00Z"
            let got = Self.normalized(incremental.admit(now: now))
            let want = Self.normalized(reference.admit(now: now))
            #expect(got.0 == want.0, "seed \(seed), step \(step): objects differ")
            #expect(got.1 == want.1, "seed \(seed), step \(step): problems differ")
            #expect(incremental.paths == reference.paths)
            if got.0 != want.0 || got.1 != want.1 { return }
        }
    }

    @Test("an admission without changes returns the same state")
    func unchangedAdmission() {
        var store = ManifestStore()
        store.update(path: "a.yaml", text: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n")
        let first = store.admit(now: "2026-01-01T00:00:00Z")
        let second = store.admit(now: "2026-01-01T00:01:00Z")
        #expect(first == second)
        #expect(first.services.count == 1)
    }
}
