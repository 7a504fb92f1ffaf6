import KubeModel
import Testing

/// The decoder's per-document cache: decoding a file with the cache of its previous version gives exactly what a
/// decode from scratch gives (objects, issues with their document numbers, ignored kinds, failures, syntax errors),
/// on random edit sequences, while parsing only the documents whose text changed.
struct ManifestDocumentCacheTests {
    /// Document texts: valid objects, ones that fail to decode or validate, unnamed, empty, comment-only, lists,
    /// flow style on the `---` line, non-mappings and kinds Gatehouse ignores.
    static let pool: [String] = [
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec:\n  ports: [{port: 8080, targetPort: http}]\n",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: text\n  annotations:\n    note: |\n      a block scalar\n      --- not a marker: indented\n",
        "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: old}\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: broken}\nspec:\n  ports: 80\n",
        "apiVersion: v1\nkind: Service\nmetadata: {}\nspec:\n  ports: [{port: 80}]\n",
        "kind: Service\nmetadata: {name: noversion}\n",
        "apiVersion: v1\nmetadata: {name: nokind}\n",
        "",
        "# only a comment\n",
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: one}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: two}}\n",
        "42\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    ]

    /// A document with a syntax error (an unclosed flow sequence).
    static let broken = "apiVersion: v1\nkind: Service\nmetadata: {name: bad\nspec: [\n"

    /// Joins documents into a file: each after a `---` line (with or without content after it), or the first one
    /// without a marker.
    static func render(_ documents: [String], markers: [Int]) -> String {
        var text = ""
        for (index, document) in documents.enumerated() {
            switch markers[index] % 4 {
            case 0 where index == 0: break
            case 1: text += "--- \n"
            case 2: text += "--- # a comment on the marker line\n"
            default: text += "---\n"
            }
            text += document
        }
        return text
    }

    /// Expects the cached decode of `text` to equal a decode from scratch.
    static func expectSame(_ text: String, cache: inout ManifestDocumentCache, _ comment: Comment) {
        let cached = ManifestDecoder.decode(text, source: "file.yaml", cache: &cache)
        let fresh = ManifestDecoder.decode(text, source: "file.yaml")
        #expect(cached.objects == fresh.objects, comment)
        #expect(cached.issues == fresh.issues, comment)
        #expect(cached.syntaxError == fresh.syntaxError, comment)
        #expect(cached.ignoredKinds == fresh.ignoredKinds, comment)
        #expect(cached.failedRefs == fresh.failedRefs, comment)
    }

    @Test("random edits: the cached decode equals a decode from scratch", arguments: [1, 2, 3, 4, 5, 6])
    func randomEdits(seed: UInt64) {
        var random = IncrementalAdmissionTests.Generator(state: seed)
        var cache = ManifestDocumentCache()
        var documents = (0..<8).map { _ in Self.pool.randomElement(using: &random) ?? "" }
        var markers = documents.map { _ in Int.random(in: 0..<4, using: &random) }
        for step in 0..<60 {
            let position = Int.random(in: 0...documents.count, using: &random)
            let inRange = position < documents.count
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where inRange, 1 where inRange:
                documents[position] = Self.pool.randomElement(using: &random) ?? ""
            case 2:
                documents.insert(Self.pool.randomElement(using: &random) ?? "", at: position)
                markers.insert(Int.random(in: 0..<4, using: &random), at: position)
            case 3 where inRange && documents.count > 1:
                documents.remove(at: position)
                markers.remove(at: position)
            case 4 where inRange:
                documents[position] = Self.broken
            case 5 where inRange:
                markers[position] += 1
            default:
                documents.swapAt(0, documents.count - 1)
            }
            Self.expectSame(Self.render(documents, markers: markers), cache: &cache, "seed \(seed), step \(step)")
        }
    }

    @Test("an edit to one document of fifty parses that document only; an unchanged file parses nothing")
    func parsesOnlyChangedDocuments() {
        var documents = (0..<50).map { "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-\($0)}\n" }
        var cache = ManifestDocumentCache()
        Self.expectSame(Self.render(documents, markers: documents.map { _ in 3 }), cache: &cache, "first decode")
        #expect(cache.parsedLastTime == 50)
        Self.expectSame(Self.render(documents, markers: documents.map { _ in 3 }), cache: &cache, "same text")
        #expect(cache.parsedLastTime == 0)
        documents[17] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: renamed}\n"
        Self.expectSame(Self.render(documents, markers: documents.map { _ in 3 }), cache: &cache, "one edit")
        #expect(cache.parsedLastTime == 1)
        // A document inserted before a refused one: the refused one's issue names its new document number.
        documents[30] = "apiVersion: v1\nkind: Service\nmetadata: {name: broken}\nspec:\n  ports: 80\n"
        Self.expectSame(Self.render(documents, markers: documents.map { _ in 3 }), cache: &cache, "refused document")
        documents.insert("apiVersion: v1\nkind: Namespace\nmetadata: {name: inserted}\n", at: 0)
        Self.expectSame(Self.render(documents, markers: documents.map { _ in 3 }), cache: &cache, "insert before it")
        #expect(cache.parsedLastTime == 2, "the new document and the refused one, whose number changed")
    }

    @Test("files with `...` or directive lines, syntax errors and CRLF line ends decode as from scratch")
    func fallbacks() {
        var cache = ManifestDocumentCache()
        let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        for text in [
            service + "...\n---\n" + service, "%YAML 1.2\n---\n" + service, service + "---\n" + Self.broken + "---\n" + service,
            (service + "---\n" + service).replacingOccurrences(of: "\n", with: "\r\n"), "", "---\n", "---\n---\n",
        ] {
            Self.expectSame(text, cache: &cache, "\(text.debugDescription)")
            Self.expectSame(text, cache: &cache, "again: \(text.debugDescription)")
        }
    }
}
