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
            var documents = try Yams.compose_all(yaml: text)
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
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.tag.description.hasSuffix(":null") {
            return  // an empty document
        }
        guard node.mapping != nil else {
            result.issues.append(ConfigIssue(object: fileRef, field: where_, message: "expected a Kubernetes object (a mapping)"))
            return
        }
        let kind = node["kind"]?.string ?? ""
        let apiVersion = node["apiVersion"]?.string ?? ""
        if kind.hasSuffix("List"), let items = node["items"]?.sequence {
            for item in items { decodeDocument(item, document: document, source: source, into: &result) }
            return
        }
        let meta = node["metadata"]
        let name = meta?["name"]?.string ?? ""
        let namespace = meta?["namespace"]?.string
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
            let decoder = YAMLDecoder()
            let object: KubeObject
            switch kind {
            case "Ingress": object = .ingress(try decoder.decode(Ingress.self, from: node))
            case "IngressClass": object = .ingressClass(try decoder.decode(IngressClass.self, from: node))
            case "Service": object = .service(try decoder.decode(Service.self, from: node))
            case "EndpointSlice": object = .endpointSlice(try decoder.decode(EndpointSlice.self, from: node))
            case "Secret": object = .secret(try decoder.decode(Secret.self, from: node))
            case "Namespace": object = .namespace(try decoder.decode(Namespace.self, from: node))
            case "Pod": object = .pod(try decoder.decode(Pod.self, from: node))
            case "NetworkPolicy": object = .networkPolicy(try decoder.decode(NetworkPolicy.self, from: node))
            default: object = .deployment(try decoder.decode(Deployment.self, from: node))
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
