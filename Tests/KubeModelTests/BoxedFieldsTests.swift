import Foundation
import Testing

@testable import KubeModel

/// Fields kept in a box because they are rarely set (an endpoint's details, the API server's metadata fields, an
/// Ingress backend's resource): decoded, read, edited and compared like the plain fields they stand for.
struct BoxedFieldsTests {
    static let text = """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-abc
          namespace: shop
          uid: 7d1c
          resourceVersion: "42"
          generation: 3
          labels: {kubernetes.io/service-name: web, team: a}
        addressType: IPv4
        endpoints:
        - addresses: [10.0.0.1]
          hostname: web-0
          nodeName: node-a
          zone: z1
          targetRef: {kind: Pod, namespace: shop, name: web-0}
        - addresses: [10.0.0.2]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: bucket}
        spec:
          defaultBackend:
            resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}

        """

    @Test("boxed fields decode to what was written, and absent ones read nil")
    func decoded() throws {
        let result = ManifestDecoder.decode(Self.text, source: "boxed.yaml")
        #expect(result.issues.isEmpty)
        guard case .endpointSlice(let slice) = try #require(result.objects.first) else {
            Issue.record("not a slice")
            return
        }
        #expect(slice.metadata.uid == "7d1c")
        #expect(slice.metadata.resourceVersion == "42")
        #expect(slice.metadata.generation == 3)
        #expect(slice.metadata.labels == ["kubernetes.io/service-name": "web", "team": "a"])
        #expect(slice.serviceName == "web")
        let endpoints = try #require(slice.endpoints)
        #expect(endpoints[0].hostname == "web-0")
        #expect(endpoints[0].nodeName == "node-a")
        #expect(endpoints[0].zone == "z1")
        #expect(endpoints[0].targetRef?.name == "web-0")
        #expect(endpoints[1].addresses == ["10.0.0.2"])
        #expect(endpoints[1].hostname == nil && endpoints[1].nodeName == nil && endpoints[1].zone == nil)
        #expect(endpoints[1].targetRef == nil)
        guard case .ingress(let ingress) = result.objects.last else {
            Issue.record("not an Ingress")
            return
        }
        #expect(ingress.spec?.defaultBackend?.resource == TypedLocalObjectReference(apiGroup: "k8s.example.com", kind: "Bucket", name: "b"))
        #expect(ingress.metadata.uid == nil && ingress.metadata.generation == nil)
    }

    @Test("editing a boxed field changes that copy only; equality and hashing follow the values")
    func editsAndEquality() throws {
        let result = ManifestDecoder.decode(Self.text, source: "boxed.yaml")
        guard case .endpointSlice(let slice) = try #require(result.objects.first) else { return }
        var endpoint = try #require(slice.endpoints?.first)
        let original = endpoint
        endpoint.zone = "z2"
        #expect(endpoint.zone == "z2" && endpoint.hostname == "web-0")
        #expect(original.zone == "z1")
        #expect(endpoint != original)
        endpoint.zone = "z1"
        #expect(endpoint == original)
        #expect(endpoint.hashValue == original.hashValue)
        endpoint.hostname = nil
        endpoint.nodeName = nil
        endpoint.zone = nil
        endpoint.targetRef = nil
        #expect(endpoint == EndpointSlice.Endpoint(addresses: ["10.0.0.1"]))
        var meta = slice.metadata
        meta.generation = 4
        #expect(meta.generation == 4 && meta.uid == "7d1c" && slice.metadata.generation == 3)
        meta.uid = nil
        meta.resourceVersion = nil
        meta.generation = nil
        var plain = slice.metadata
        plain.uid = nil
        plain.resourceVersion = nil
        plain.generation = nil
        #expect(meta == plain)
    }

    @Test("boxed fields encode back under their own names")
    func encoded() throws {
        let result = ManifestDecoder.decode(Self.text, source: "boxed.yaml")
        guard case .endpointSlice(let slice) = try #require(result.objects.first) else { return }
        let json = String(decoding: try JSONEncoder().encode(slice), as: UTF8.self)
        for fragment in [#""uid":"7d1c""#, #""resourceVersion":"42""#, #""generation":3"#, #""hostname":"web-0""#, #""zone":"z1""#] {
            #expect(json.contains(fragment), "\(fragment) in \(json)")
        }
        #expect(!json.contains("details") && !json.contains("serverFields"))
    }
}
