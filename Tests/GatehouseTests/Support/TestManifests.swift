import Foundation

/// One endpoint of a test Service: a port on 127.0.0.1, ready or not.
struct TestEndpoint: Sendable {
    /// The port the endpoint listens on (or, for a dead endpoint, a port nothing listens on).
    var port: Int
    /// The EndpointSlice `conditions.ready` value.
    var ready = true
}

/// One path of a test Ingress rule.
struct TestPath: Sendable {
    /// The path as written in the Ingress.
    var path: String
    /// `Prefix`, `Exact` or `ImplementationSpecific`.
    var pathType: String
    /// The Service name.
    var service: String
    /// The Service port number.
    var port: Int

    /// A path routed to port 80 of `service`.
    init(_ path: String, to service: String, pathType: String = "Prefix", port: Int = 80) {
        self.path = path
        self.pathType = pathType
        self.service = service
        self.port = port
    }
}

/// A test Ingress: one rule (for `host`, or every host when nil), served by the `gatehouse` class.
struct TestIngress: Sendable {
    /// `metadata.name`.
    var name: String
    /// The rule's host; nil for a rule without host.
    var host: String?
    /// ingress-nginx annotations by short name (`proxy-read-timeout`), written with the `nginx.ingress.kubernetes.io/` prefix.
    var annotations: [String: String] = [:]
    /// The rule's paths.
    var paths: [TestPath]
    /// `spec.ingressClassName`.
    var className = "gatehouse"
}

/// A Kubernetes object of a test manifest file, described in Swift and rendered as YAML.
enum TestObject: Sendable {
    /// A Service (one unnamed port 80) plus one EndpointSlice per endpoint on 127.0.0.1; with `endpoints == nil`
    /// no EndpointSlice at all.
    case service(name: String, endpoints: [TestEndpoint]?)
    /// An Ingress.
    case ingress(TestIngress)
    /// Verbatim YAML (for deliberately broken documents).
    case yaml(String)

    /// A Service whose endpoints are ready backends on the given ports.
    static func service(_ name: String, ports: [Int]) -> TestObject {
        .service(name: name, endpoints: ports.map { TestEndpoint(port: $0) })
    }

    /// An Ingress routing `paths` of `host`.
    static func ingress(_ name: String, host: String?, annotations: [String: String] = [:], _ paths: [TestPath]) -> TestObject {
        .ingress(TestIngress(name: name, host: host, annotations: annotations, paths: paths))
    }

    /// The object as one or more YAML documents (without separators at the ends).
    var yaml: String {
        switch self {
        case .service(let name, let endpoints):
            var documents = [
                """
                apiVersion: v1
                kind: Service
                metadata:
                  name: \(quoted(name))
                spec:
                  ports:
                  - port: 80
                    protocol: TCP
                """
            ]
            for (index, endpoint) in (endpoints ?? []).enumerated() {
                documents.append(
                    """
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: \(quoted("\(name)-\(index)"))
                      labels:
                        kubernetes.io/service-name: \(quoted(name))
                    addressType: IPv4
                    ports:
                    - port: \(endpoint.port)
                      protocol: TCP
                    endpoints:
                    - addresses: ["127.0.0.1"]
                      conditions:
                        ready: \(endpoint.ready)
                    """
                )
            }
            return documents.joined(separator: "\n---\n")
        case .ingress(let ingress):
            var text = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: \(quoted(ingress.name))

                """
            if !ingress.annotations.isEmpty {
                text += "  annotations:\n"
                for (key, value) in ingress.annotations.sorted(by: { $0.key < $1.key }) {
                    text += "    \(quoted("nginx.ingress.kubernetes.io/" + key)): \(quoted(value))\n"
                }
            }
            text += "spec:\n  ingressClassName: \(quoted(ingress.className))\n  rules:\n"
            text += ingress.host.map { "  - host: \(quoted($0))\n    http:\n" } ?? "  - http:\n"
            text += "      paths:\n"
            for path in ingress.paths {
                text += "      - path: \(quoted(path.path))\n        pathType: \(path.pathType)\n"
                text += "        backend:\n          service:\n            name: \(quoted(path.service))\n"
                text += "            port:\n              number: \(path.port)\n"
            }
            return text
        case .yaml(let text):
            return text
        }
    }

    /// A manifest file holding `objects`.
    static func file(_ objects: [TestObject]) -> String {
        objects.map(\.yaml).joined(separator: "\n---\n") + "\n"
    }
}

/// `text` as a double-quoted YAML scalar (JSON string syntax, which YAML accepts).
private func quoted(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
    return String(decoding: data, as: UTF8.self)
}
