import Yams

/// Decodes manifest text (multi-document YAML or JSON, `kind: List` included) into objects.
/// Problems never throw: each is reported with the file, document and field path, and the other documents still decode.
public enum ManifestDecoder {
    /// The apiVersion each kind must use.
    static let apiVersions: [String: [String]] = [
        "Ingress": ["networking.k8s.io/v1"],
        "IngressClass": ["networking.k8s.io/v1"],
        "NetworkPolicy": ["networking.k8s.io/v1"],
        "Service": ["v1"],
        "Secret": ["v1"],
        "Namespace": ["v1"],
        "Pod": ["v1"],
        "EndpointSlice": ["discovery.k8s.io/v1"],
        "Deployment": ["apps/v1"],
    ]

    /// The outcome of decoding one manifest file.
    public struct Result: Sendable {
        /// Objects that decoded, in file order.
        public var objects: [KubeObject] = []
        /// Problems found; a syntax problem means the objects may be incomplete (see ``syntaxError``).
        public var issues: [ConfigIssue] = []
        /// True when the file is not valid YAML (documents after the error are lost).
        public var syntaxError = false
        /// Kinds present in the file that Gatehouse does not read (ConfigMaps and other APIs).
        public var ignoredKinds: [String] = []
        /// Objects that were present but could not be decoded (their last good version may keep serving).
        public var failedRefs: [ObjectRef] = []
    }

    /// Decodes all documents of `text`; `source` (the file path) names file-level problems.
    public static func decode(_ text: String, source: String) -> Result {
        var result = Result()
        let fileRef = ObjectRef(kind: "File", namespace: nil, name: source)
        do {
            var index = 0
            // The sequence swallows a parse error (it just ends); it must be read back, or a half-written file
            // would pass for a shorter good one.
            // The `.basic` resolver tags no plain scalar: resolving tags runs a regular expression per scalar
            // (most of the time Yams spends), and `NodeDecoder` reads scalars from their text and style alone.
            var documents = try Yams.compose_all(yaml: text, .basic)
            while let node = documents.next() {
                index += 1
                decodeDocument(node, document: index, source: source, into: &result)
            }
            if let error = documents.error { throw error }
        } catch {
            result.syntaxError = true
            result.issues.append(ConfigIssue(object: fileRef, field: "", message: "not valid YAML: \(describe(error))"))
        }
        return result
    }

    /// Decodes all documents of `text` like ``decode(_:source:)``, parsing again only the documents whose text
    /// changed since the decode that filled `cache` (the previous version of the same file); refills `cache`.
    /// Documents are told apart by their `---` lines, which YAML only allows at the start of a document; a file
    /// with `...` or `%` directive lines, or a document that does not parse on its own, is decoded whole (a syntax
    /// error is then reported with its line in the file).
    public static func decode(_ text: String, source: String, cache: inout ManifestDocumentCache) -> Result {
        guard let chunks = documentChunks(text) else {
            cache = ManifestDocumentCache()
            return decode(text, source: source)
        }
        var result = Result()
        var next = ManifestDocumentCache()
        next.entries.reserveCapacity(chunks.count)
        var index = 0
        for chunk in chunks {
            var entry: ManifestDocumentCache.Entry
            let key = ManifestDocumentCache.Key(chunk)
            if let cached = cache.entries[key], Int(cached.firstDocument) == index + 1 || cached.outcome.isClean {
                entry = cached
            } else {
                next.parsedLastTime += 1
                var documents = 0
                var decoded = Result()
                do {
                    var nodes = try Yams.compose_all(yaml: String(chunk), .basic)
                    while let node = nodes.next() {
                        documents += 1
                        decodeDocument(node, document: index + documents, source: source, into: &decoded)
                    }
                    if let error = nodes.error { throw error }
                } catch {
                    cache = ManifestDocumentCache()
                    return decode(text, source: source)
                }
                entry = ManifestDocumentCache.Entry(
                    firstDocument: Int32(clamping: index + 1), documents: Int32(clamping: documents),
                    outcome: ManifestDocumentCache.Outcome(decoded))
            }
            index += Int(entry.documents)
            entry.outcome.add(to: &result)
            next.entries[key] = entry
        }
        cache = next
        return result
    }

    /// The text of each document of `text`, split before every `---` line (a line of `---` alone or followed by a
    /// space or tab: YAML forbids one inside any scalar, so each starts a document); nil when the text has
    /// `...` or `%` lines, whose meaning spans documents.
    static func documentChunks(_ text: String) -> [Substring]? {
        var chunks: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var lineStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = utf8[lineStart..<lineEnd]
            if let first = line.first,
                first == UInt8(ascii: "%") || (first == UInt8(ascii: "-") || first == UInt8(ascii: ".")) && line.count >= 3
            {
                let marker = line.prefix(3)
                let isDashes = marker.elementsEqual("---".utf8)
                let isDots = marker.elementsEqual("...".utf8)
                let after = line.dropFirst(3).first
                let endsMarker = after == nil || after == UInt8(ascii: " ") || after == UInt8(ascii: "\t") || after == UInt8(ascii: "\r")
                if first == UInt8(ascii: "%") || isDots && endsMarker { return nil }
                if isDashes && endsMarker && lineStart > start {
                    chunks.append(text[start..<lineStart])
                    start = lineStart
                }
            }
            lineStart = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd
        }
        if start < utf8.endIndex || chunks.isEmpty { chunks.append(text[start...]) }
        return chunks
    }

    /// Decodes one document (or each item of a `List`).
    static func decodeDocument(_ node: Node, document: Int, source: String, into result: inout Result) {
        let fileRef = ObjectRef(kind: "File", namespace: nil, name: source)
        let where_ = "document \(document)"
        if NodeDecoder.isNull(node) {
            return  // an empty document
        }
        guard case .mapping(let mapping) = node else {
            result.issues.append(ConfigIssue(object: fileRef, field: where_, message: "expected a Kubernetes object (a mapping)"))
            return
        }
        let entries = NodeEntries(mapping)
        let kind = entries.value("kind")?.scalar?.string ?? ""
        let apiVersion = entries.value("apiVersion")?.scalar?.string ?? ""
        if kind.hasSuffix("List"), case .sequence(let items) = entries.value("items") {
            for item in items { decodeDocument(item, document: document, source: source, into: &result) }
            return
        }
        let meta = entries.value("metadata")?.mapping.map(NodeEntries.init)
        let name = meta?.value("name")?.scalar?.string ?? ""
        let namespace = meta?.value("namespace")?.scalar?.string
        let ref = ObjectRef(
            kind: kind.isEmpty ? "Object" : kind,
            namespace: kind == "Namespace" || kind == "IngressClass" ? nil : (namespace ?? "default"),
            name: name.isEmpty ? "\(source)#\(document)" : name
        )
        if kind.isEmpty {
            result.issues.append(ConfigIssue(object: fileRef, field: "\(where_): kind", message: "Required value"))
            return
        }
        guard let versions = apiVersions[kind] else {
            result.ignoredKinds.append(kind)
            return
        }
        guard versions.contains(apiVersion) else {
            let message =
                apiVersion.isEmpty
                ? "Required value"
                : "Unsupported value: \"\(apiVersion)\": supported values: " + versions.map { "\"\($0)\"" }.joined(separator: ", ")
            result.issues.append(ConfigIssue(object: ref, field: "apiVersion", message: message))
            result.failedRefs.append(ref)
            return
        }
        do {
            let decoder = NodeDecoder(node: node)
            let object: KubeObject
            switch kind {
            case "Ingress": object = .ingress(try Ingress(from: decoder))
            case "IngressClass": object = .ingressClass(try IngressClass(from: decoder))
            case "Service": object = .service(try Service(from: decoder))
            case "EndpointSlice": object = .endpointSlice(try EndpointSlice(from: decoder))
            case "Secret": object = .secret(try Secret(from: decoder))
            case "Namespace": object = .namespace(try Namespace(from: decoder))
            case "Pod": object = .pod(try Pod(from: decoder))
            case "NetworkPolicy": object = .networkPolicy(try NetworkPolicy(from: decoder))
            default: object = .deployment(try Deployment(from: decoder))
            }
            result.objects.append(object)
        } catch let error as DecodingError {
            let (field, message) = describe(error)
            result.issues.append(ConfigIssue(object: ref, field: field, message: message))
            result.failedRefs.append(ref)
        } catch {
            result.issues.append(ConfigIssue(object: ref, field: "", message: describe(error)))
            result.failedRefs.append(ref)
        }
    }

    /// A field path and message for a decoding error.
    static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return text
        }
        switch error {
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "Invalid value: expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "Invalid value: expected \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "Required value")
        case .dataCorrupted(let context):
            return (path(context.codingPath), "Invalid value: \(context.debugDescription)")
        @unknown default:
            return ("", "\(error)")
        }
    }

    /// A user-facing name for a Swift type in a decoding error.
    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Node.Sequence.Type: "a list"  // Yams names the YAML node it expected
        case is Node.Mapping.Type: "a mapping"
        case is Node.Scalar.Type: "a single value (a string, number or boolean)"
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "a boolean"
        default:
            String(describing: type).hasPrefix("Array")
                ? "a list" : (String(describing: type).hasPrefix("Dictionary") ? "a map" : "an object")
        }
    }

    /// One line describing a YAML syntax error (with its line and column).
    static func describe(_ error: any Error) -> String {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                return "line \(mark.line), column \(mark.column): \(problem)"
            default:
                return String(describing: yamlError).split(separator: "\n").first.map(String.init) ?? "\(yamlError)"
            }
        }
        return String(describing: error)
    }
}

/// What ``ManifestDecoder/decode(_:source:cache:)`` keeps of a file's last decode: each document's outcome by the
/// document's text.
public struct ManifestDocumentCache: Sendable {
    /// The outcome of one document's text. Small: a file of 300 documents keeps 300 of them.
    struct Entry: Sendable {
        /// The number of its first document in the file (issues name it).
        var firstDocument: Int32
        /// How many documents the text holds (0 for comments only, else 1).
        var documents: Int32
        /// What decoding it gave.
        var outcome: Outcome
    }

    /// What decoding a document gave: the usual single object with nothing to report held as is, anything else
    /// (problems, ignored kinds, no object) in a box.
    enum Outcome: Sendable {
        case object(KubeObject)
        indirect case other(ManifestDecoder.Result)

        /// The outcome `result` stands for.
        init(_ result: ManifestDecoder.Result) {
            if result.objects.count == 1, let only = result.objects.first, result.issues.isEmpty, result.ignoredKinds.isEmpty,
                result.failedRefs.isEmpty, !result.syntaxError
            {
                self = .object(only)
            } else {
                self = .other(result)
            }
        }

        /// Whether decoding found neither problems nor failures.
        var isClean: Bool {
            switch self {
            case .object: true
            case .other(let result): result.issues.isEmpty && result.failedRefs.isEmpty
            }
        }

        /// Appends this outcome to `result`.
        func add(to result: inout ManifestDecoder.Result) {
            switch self {
            case .object(let object): result.objects.append(object)
            case .other(let other):
                result.objects += other.objects
                result.issues += other.issues
                result.ignoredKinds += other.ignoredKinds
                result.failedRefs += other.failedRefs
            }
        }
    }

    /// A document's text, stood for by its length and two independently keyed 64-bit SipHash digests of its bytes
    /// (the texts themselves are not kept: with 10,000 Ingresses they are megabytes).
    struct Key: Hashable, Sendable {
        /// The text's length in UTF-8 bytes.
        let length: Int
        /// The first digest.
        let first: Int
        /// The second digest, seeded apart from the first.
        let second: Int

        /// The key of `text`.
        init(_ text: Substring) {
            var first = Hasher()
            var second = Hasher()
            first.combine(0x243F_6A88_85A3_08D3 as UInt64)
            second.combine(0x1319_8A2E_0370_7344 as UInt64)
            let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
                first.combine(bytes: UnsafeRawBufferPointer(bytes))
                second.combine(bytes: UnsafeRawBufferPointer(bytes))
            }
            if hashed == nil {
                for byte in text.utf8 {
                    first.combine(byte)
                    second.combine(byte)
                }
            }
            length = text.utf8.count
            self.first = first.finalize()
            self.second = second.finalize()
        }
    }

    /// Outcomes by document text.
    var entries: [Key: Entry] = [:]
    /// How many document texts the last decode parsed (the others were reused); for tests and diagnostics.
    public internal(set) var parsedLastTime = 0

    /// An empty cache.
    public init() {}

    /// Puts `replacement(object)` in place of each cached object it returns one for (nil keeps the object), so
    /// that the cache and a caller holding an equivalent version (the store's admitted one, stamped with its
    /// creation time) share one box instead of keeping two.
    public mutating func replaceObjects(_ replacement: (KubeObject) -> KubeObject?) {
        // Walked by index, not with `for … in entries.indices`: the loop would hold the table and each write
        // would copy it.
        var entry = entries.startIndex
        while entry != entries.endIndex {
            switch entries.values[entry].outcome {
            case .object(let object):
                if let new = replacement(object) { entries.values[entry].outcome = .object(new) }
            case .other(var result):
                var replaced = false
                for index in result.objects.indices {
                    if let new = replacement(result.objects[index]) {
                        result.objects[index] = new
                        replaced = true
                    }
                }
                if replaced { entries.values[entry].outcome = .other(result) }
            }
            entries.formIndex(after: &entry)
        }
    }
}
