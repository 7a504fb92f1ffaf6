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
