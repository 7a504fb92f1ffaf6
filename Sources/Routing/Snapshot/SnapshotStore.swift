/// Where the control plane hands finished snapshots; the data plane implements it. The only meeting point of
/// the two paths: publishing swaps the whole snapshot in one step.
public protocol SnapshotStore: Sendable {
    /// Makes `snapshot` the one new requests use. In-flight requests keep theirs.
    func publish(_ snapshot: RoutingSnapshot)
}
