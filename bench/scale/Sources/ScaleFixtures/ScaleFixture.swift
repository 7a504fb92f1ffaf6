import Foundation
import Routing

/// Generated clusters for the scale benchmarks: `n` Ingresses, each with a few rules (an exact host with four
/// paths, one of them Exact, and a wildcard host), its Service and EndpointSlice, and a TLS host (with its Secret)
/// every tenth Ingress. `bench/scale/file-change-latency` writes the same shape for the real binary.
public enum ScaleFixture {
    /// The routing options the fixtures are served with.
    public static let options = RoutingOptions(ingressClasses: ["gatehouse"])

    /// Ingresses per manifest file.
    public static let ingressesPerFile = 100

    /// The host of Ingress `index`.
    public static func host(_ index: Int) -> String { "app-\(index).team-\(index % 20).example.com" }

    /// Certificate and key (PEM) for the TLS Secrets: from `GATEHOUSE_SCALE_TLS_DIR` (tls.crt, tls.key; written by
    /// `bench/scale/run`), else placeholders.
    static let tlsData: (crt: String, key: String) = {
        if let dir = ProcessInfo.processInfo.environment["GATEHOUSE_SCALE_TLS_DIR"],
            let crt = FileManager.default.contents(atPath: dir + "/tls.crt"),
            let key = FileManager.default.contents(atPath: dir + "/tls.key")
        {
            return (crt.base64EncodedString(), key.base64EncodedString())
        }
        return (Data("placeholder certificate".utf8).base64EncodedString(), Data("placeholder key".utf8).base64EncodedString())
    }()

    /// The manifests (multi-document YAML) of Ingress `index` and its Service, EndpointSlice and Secret.
    public static func manifest(_ index: Int) -> String {
        let namespace = "team-\(index % 20)"
        let name = "app-\(index)"
        let tls = index % 10 == 0
        var text = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              ingressClassName: gatehouse

            """
        if tls {
            text += """
                  tls:
                  - hosts: [\(host(index))]
                    secretName: \(name)-tls

                """
        }
        func path(_ path: String, _ type: String) -> String {
            """
                      - path: \(path)
                        pathType: \(type)
                        backend:
                          service:
                            name: \(name)
                            port:
                              number: 80

            """
        }
        text += """
              rules:
              - host: \(host(index))
                http:
                  paths:

            """
        text += path("/api", "Prefix") + path("/api/v2", "Prefix") + path("/static", "Prefix") + path("/healthz", "Exact")
        text += """
              - host: "*.\(host(index))"
                http:
                  paths:

            """
        text += path("/", "Prefix")
        text += """
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              selector:
                app: \(name)
              ports:
              - name: http
                port: 80
                targetPort: 8080
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: \(name)-abcde
              namespace: \(namespace)
              labels:
                kubernetes.io/service-name: \(name)
            addressType: IPv4
            ports:
            - name: http
              port: 19001
              protocol: TCP
            endpoints:
            - addresses: ["127.0.0.1"]
              conditions:
                ready: true
            - addresses: ["127.0.0.1"]
              conditions:
                ready: false

            """
        if tls {
            text += """
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: \(name)-tls
                  namespace: \(namespace)
                type: kubernetes.io/tls
                data:
                  tls.crt: \(tlsData.crt)
                  tls.key: \(tlsData.key)

                """
        }
        return text
    }

    /// The manifest files for `count` Ingresses (plus the IngressClass), `ingressesPerFile` per file.
    public static func files(ingresses count: Int) -> [(path: String, text: String)] {
        var files: [(String, String)] = [
            (
                "class.yaml",
                """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: gatehouse
                spec:
                  controller: gatehouse.dev/ingress-controller

                """
            )
        ]
        var start = 0
        while start < count {
            let end = min(count, start + ingressesPerFile)
            let text = (start..<end).map { manifest($0) }.joined(separator: "---\n")
            files.append(("ingresses-\(start / ingressesPerFile).yaml", text))
            start = end
        }
        return files
    }

    /// A store holding the files (decoded, not yet admitted).
    public static func store(ingresses count: Int) -> ManifestStore {
        var store = ManifestStore()
        for file in files(ingresses: count) { store.update(path: file.path, text: file.text) }
        return store
    }

    /// The admitted cluster state for `count` Ingresses.
    public static func state(ingresses count: Int) -> ClusterState {
        var store = store(ingresses: count)
        return store.admit(now: "2026-01-01T00:00:00Z")
    }

    /// `count` requests (normalized host, path) spread over the Ingresses, hitting every kind of route.
    public static func requests(ingresses: Int, count: Int = 1024) -> [(host: String, path: String)] {
        var generator = SplitMix64(seed: 42)
        return (0..<count).map { index in
            let target = Int(generator.next() % UInt64(ingresses))
            switch index % 5 {
            case 0: return (host(target), "/api/v2/users/42")
            case 1: return (host(target), "/static/app.js")
            case 2: return (host(target), "/healthz")
            case 3: return (host(target), "/api/orders")
            default: return ("www." + host(target), "/index.html")
            }
        }
    }
}

/// A small deterministic generator (the benchmarks must not depend on the system's randomness).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
