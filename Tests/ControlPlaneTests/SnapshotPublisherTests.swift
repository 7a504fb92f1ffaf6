import Logging
import Routing
import Synchronization
import Testing

@testable import ControlPlane

/// The order in which a snapshot reaches the data plane and the admin server.
struct SnapshotPublisherTests {
    /// Records, for each snapshot the data plane receives, the version the publisher reported as current then.
    final class OrderProbe: SnapshotStore {
        let publisher = Mutex<SnapshotPublisher?>(nil)
        let currentAtPublish = Mutex<[Int]>([])

        func publish(_ snapshot: RoutingSnapshot) {
            let current = publisher.withLock { $0?.current.version } ?? -1
            currentAtPublish.withLock { $0.append(current) }
        }
    }

    @Test("the data plane has a snapshot before the publisher reports it as current")
    func dataPlaneFirst() {
        let probe = OrderProbe()
        let publisher = SnapshotPublisher(options: RoutingOptions(), store: probe, logger: Logger(label: "test"))
        probe.publisher.withLock { $0 = publisher }
        let first = publisher.publish(ClusterState())
        let second = publisher.publish(ClusterState())
        #expect([first.version, second.version] == [1, 2])
        #expect(probe.currentAtPublish.withLock { $0 } == [0, 1])
        #expect(publisher.current.version == 2)
    }
}
