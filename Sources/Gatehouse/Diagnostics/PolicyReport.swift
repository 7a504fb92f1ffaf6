import Foundation
import KubeModel
import Policy
import Routing

/// The `gatehouse policy` commands' logic over loaded manifests: the engine, matrices, single verdicts and batches.
/// No I/O: the CLI reads files and prints what these return.
public struct PolicyReport: Sendable {
    /// The engine over the manifests' Pods, Namespaces and NetworkPolicies.
    public let engine: PolicyEngine
    /// The objects.
    public let state: ClusterState

    /// Builds the engine from `state` (Pods and Namespaces sorted by name).
    public init(state: ClusterState) {
        self.state = state
        engine = PolicyEngine(
            pods: state.pods.sorted { $0.key < $1.key }.map(\.value),
            namespaces: state.namespaces.sorted { $0.key < $1.key }.map(\.value),
            policies: state.networkPolicies.sorted { $0.key < $1.key }.map(\.value))
    }

    /// Problems that change the answers: refused or undecodable NetworkPolicies, Pods and Namespaces, files that are
    /// not valid YAML, and the engine's own (duplicates, addresses that are not IPs).
    public var warnings: [ConfigIssue] {
        let kinds: Set<String> = ["NetworkPolicy", "Pod", "Namespace", "File"]
        return Array(Set(state.admissionIssues.filter { kinds.contains($0.object.kind) } + engine.issues)).sorted()
    }

    /// The ports `policy matrix` shows when none is given: the container ports of the Pods for `proto`, else 80.
    public func defaultMatrixPorts(protocol proto: PolicyProtocol) -> [Int] {
        var ports: Set<Int> = []
        for pod in state.pods.values {
            for container in pod.spec?.containers ?? [] {
                for port in container.ports ?? [] where PolicyProtocol(name: port.protocol ?? "TCP") == proto {
                    if let number = port.containerPort { ports.insert(number) }
                }
            }
        }
        return ports.isEmpty ? [80] : ports.sorted()
    }

    /// The matrices for `ports`, each headed by `TCP/8080:` and followed by a blank line between matrices.
    public func matrixText(ports: [Int], protocol proto: PolicyProtocol) -> String {
        ports.map { port in
            "\(proto)/\(port): . allowed, X blocked (rows: from, columns: to)\n\(engine.matrix(port: port, protocol: proto))\n"
        }
        .joined(separator: "\n")
    }

    /// The matrices for `ports` as a JSON array of `{pods, port, protocol, allowed}`.
    public func matrixJSON(ports: [Int], protocol proto: PolicyProtocol) -> String {
        Self.encode(ports.map { engine.matrix(port: $0, protocol: proto) })
    }

    /// Answers a `policy check` batch: `input` is a JSON array of `{"from": "ns/pod" | {"ip": "…"}, "to": …, "port": N,
    /// "protocol": "TCP"}`. Returns the same array, one element per line, each object exactly as written with
    /// `"allowed"` and `"reason"` appended (or `"error"` when the query cannot be answered; an element that is not an
    /// object becomes `{"query": element, "error": …}`), and the number of such failures. Throws when the input is
    /// not a JSON array.
    public func check(_ input: Data) throws -> (output: String, failures: Int) {
        let queries: [LenientQuery]
        do {
            queries = try JSONDecoder().decode([LenientQuery].self, from: input)
        } catch {
            throw PolicyBatchError(message: "expected a JSON array of queries")
        }
        guard let elements = JSONArrayText.elements(of: Array(input)), elements.count == queries.count else {
            throw PolicyBatchError(message: "expected a JSON array of queries")
        }
        var failures = 0
        var lines: [String] = []
        lines.reserveCapacity(elements.count)
        for (element, query) in zip(elements, queries) {
            var answer: [(key: String, value: Any)] = []
            switch query.result {
            case .success(let value):
                switch engine.answer(value) {
                case .verdict(let verdict): answer = [("allowed", verdict.allowed), ("reason", verdict.reason)]
                case .failure(_, let error): answer = [("error", error.description)]
                }
            case .failure(let error):
                answer = [("error", error.message)]
            }
            if answer.first?.key == "error" { failures += 1 }
            lines.append(try Self.answered(element, with: answer, replacing: query.hasAnswerKeys))
        }
        if lines.isEmpty { return ("[]\n", 0) }
        return ("[\n" + lines.joined(separator: ",\n") + "\n]\n", failures)
    }

    /// One answered element: the object's text with the answer's members appended; an object that already has
    /// answer keys (a batch fed back in) re-encoded with them replaced; anything else wrapped as `query`.
    static func answered(_ element: ArraySlice<UInt8>, with answer: [(key: String, value: Any)], replacing: Bool) throws -> String {
        func encoded(_ value: Any) -> String {
            if let flag = value as? Bool { return flag ? "true" : "false" }
            return JSONArrayText.quote("\(value)")
        }
        let members = answer.map { JSONArrayText.quote($0.key) + ":" + encoded($0.value) }
        guard element.first == UInt8(ascii: "{") else {
            return "{\"query\":" + String(decoding: element, as: UTF8.self) + "," + members.joined(separator: ",") + "}"
        }
        guard replacing, var object = try JSONSerialization.jsonObject(with: Data(element)) as? [String: Any] else {
            return JSONArrayText.appending(members, to: element)
        }
        for key in ["allowed", "reason", "error"] { object[key] = nil }
        for (key, value) in answer { object[key] = value }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Pretty, key-sorted JSON of an encodable value, ending in a newline.
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Why a `policy check` input cannot be read at all.
public struct PolicyBatchError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { message }
}

/// One element of a `policy check` batch: the query, or why it does not decode (the rest of the batch still runs).
struct LenientQuery: Decodable {
    /// Any object key.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The decoded query or the problem.
    let result: Result<PolicyQuery, PolicyBatchError>
    /// Whether the element already carries `allowed`, `reason` or `error` (a batch's output fed back in).
    let hasAnswerKeys: Bool

    /// Decodes one element without failing the array.
    init(from decoder: any Decoder) throws {
        let keys = try? decoder.container(keyedBy: AnyKey.self)
        hasAnswerKeys = ["allowed", "reason", "error"].contains { keys?.contains(AnyKey(stringValue: $0)) == true }
        do {
            result = .success(try PolicyQuery(from: decoder))
        } catch let error as DecodingError {
            result = .failure(PolicyBatchError(message: "invalid query: " + Self.describe(error)))
        } catch {
            result = .failure(PolicyBatchError(message: "invalid query: \(error)"))
        }
    }

    /// A short description of a decoding error.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.dropFirst().map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case .typeMismatch(_, let context):
            return "wrong type at \(path(context.codingPath).isEmpty ? "the query" : path(context.codingPath))"
        case .valueNotFound(_, let context): return "null at \(path(context.codingPath))"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
