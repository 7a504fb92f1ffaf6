import Routing
import Testing

@testable import DataPlane

/// The endpoints an exchange tried, and the round-robin choice that skips them on a retry.
@Suite struct TriedEndpointsTests {
    private let cluster = ClusterRuntime(
        id: ClusterID(namespace: "default", service: "api", port: 80),
        endpoints: ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map { UpstreamEndpoint(Endpoint(host: $0, port: 8080)) }
    )

    @Test func recordsInOrderAndForgetsTheLast() {
        var tried = TriedEndpoints()
        #expect(tried.isEmpty && tried.count == 0)
        tried.append(cluster.endpoints[0])
        tried.append(cluster.endpoints[2])
        #expect(tried.count == 2)
        // Equal by host and port, not by instance.
        #expect(tried.contains(UpstreamEndpoint(Endpoint(host: "10.0.0.3", port: 8080))))
        #expect(!tried.contains(cluster.endpoints[1]))
        tried.removeLast()
        #expect(tried.count == 1 && !tried.contains(cluster.endpoints[2]) && tried.contains(cluster.endpoints[0]))
        tried.removeLast()
        #expect(tried.isEmpty)
    }

    @Test func retriesGoToEndpointsNotTriedUntilNoneIsLeft() throws {
        var tried = TriedEndpoints()
        var chosen: [String] = []
        while let next = cluster.next(excluding: tried) {
            #expect(!tried.contains(next))
            tried.append(next)
            chosen.append(next.host)
            try #require(chosen.count <= 3)
        }
        #expect(Set(chosen) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"] && tried.count == 3)
    }
}
