import Foundation

/// YAML for the objects the protocol tests serve: Services with the EndpointSlices a cluster would write,
/// Ingresses with TLS sections and annotations, and `kubernetes.io/tls` Secrets in the forms users write them.
enum Manifests {
    /// How a TLS Secret is written.
    enum SecretForm: Sendable {
        /// base64 in `data`.
        case data
        /// plain PEM in `stringData`.
        case stringData
        /// exactly what `kubectl create secret tls NAME --cert --key --dry-run=client -o yaml` prints.
        case kubectl
    }

    /// A Service `name` (port 80) whose only endpoint is `127.0.0.1:port`, and its EndpointSlice.
    static func backend(_ name: String, port: Int) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
        spec:
          ports:
          - port: 80
            targetPort: \(port)
            protocol: TCP
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: \(name)-slice
          labels:
            kubernetes.io/service-name: \(name)
        addressType: IPv4
        ports:
        - port: \(port)
          protocol: TCP
        endpoints:
        - addresses: ["127.0.0.1"]
          conditions:
            ready: true

        """
    }

    /// An Ingress of class `nginx` routing `host` (nil: every host) and `path` (Prefix) to port 80 of `service`,
    /// with `tls` entries (hosts, secret name or nil) and `nginx.ingress.kubernetes.io/` annotations.
    static func ingress(
        _ name: String,
        host: String?,
        path: String = "/",
        service: String,
        tls: [(hosts: [String], secret: String?)] = [],
        annotations: [String: String] = [:]
    ) -> String {
        var yaml = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: \(name)

            """
        if !annotations.isEmpty {
            yaml += "  annotations:\n"
            for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
                yaml += "    nginx.ingress.kubernetes.io/\(key): \"\(value)\"\n"
            }
        }
        yaml += "spec:\n  ingressClassName: nginx\n"
        if !tls.isEmpty {
            yaml += "  tls:\n"
            for entry in tls {
                yaml += "  - hosts: [\(entry.hosts.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
                if let secret = entry.secret { yaml += "    secretName: \(secret)\n" }
            }
        }
        yaml += "  rules:\n"
        yaml += host.map { "  - host: \"\($0)\"\n    http:\n" } ?? "  - http:\n"
        yaml += """
                  paths:
                  - path: \(path)
                    pathType: Prefix
                    backend:
                      service:
                        name: \(service)
                        port:
                          number: 80

            """
        return yaml
    }

    /// A `kubernetes.io/tls` Secret holding `certificate` in the given form.
    static func tlsSecret(_ name: String, certificate: TestCertificate, form: SecretForm = .data) -> String {
        tlsSecret(name, certificatePEM: certificate.certificatePEM, keyPEM: certificate.keyPEM, form: form)
    }

    /// A `kubernetes.io/tls` Secret with the given PEM texts (which may be broken on purpose).
    static func tlsSecret(_ name: String, certificatePEM: String, keyPEM: String, form: SecretForm = .data) -> String {
        let crt = Data(certificatePEM.utf8).base64EncodedString()
        let key = Data(keyPEM.utf8).base64EncodedString()
        switch form {
        case .data:
            return """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: \(name)
                type: kubernetes.io/tls
                data:
                  tls.crt: \(crt)
                  tls.key: \(key)

                """
        case .kubectl:
            return """
                apiVersion: v1
                data:
                  tls.crt: \(crt)
                  tls.key: \(key)
                kind: Secret
                metadata:
                  creationTimestamp: null
                  name: \(name)
                type: kubernetes.io/tls

                """
        case .stringData:
            let indent: (String) -> String = { text in
                text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    \($0)" }.joined(separator: "\n")
            }
            return """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: \(name)
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                \(indent(certificatePEM))
                  tls.key: |
                \(indent(keyPEM))

                """
        }
    }

    /// Joins documents into one multi-document YAML file.
    static func join(_ documents: [String]) -> String {
        documents.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "---\n")
    }
}
