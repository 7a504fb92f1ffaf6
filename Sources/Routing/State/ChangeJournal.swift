import KubeModel
import Synchronization

/// The identities of the objects a ``ClusterState`` inserted or removed, in order, each numbered with a sequence
/// number unique in the process. The incremental snapshot builder asks for the changes after the last one it saw
/// and compares only those objects; a state that does not descend from the one it saw (that sequence number is not
/// in its journal) gets a full comparison instead. Bookkeeping, not content: two states with the same objects are
/// equal whatever their journals say.
public struct ChangeJournal: Sendable, Equatable {
    /// What changed.
    public enum Change: Hashable, Sendable {
        /// An Ingress, by its identity.
        case ingress(ObjectRef)
        /// A Service, by its identity.
        case service(ObjectRef)
        /// The EndpointSlices of a Service, by the Service's identity.
        case endpointSlices(ObjectRef)
        /// A Secret, by its identity.
        case secret(ObjectRef)
    }

    /// The entries kept before the oldest half is dropped.
    static let capacity = 1 << 16

    /// Sequence numbers are unique across every state of the process.
    private static let counter = Atomic<UInt64>(0)

    /// The changes, oldest first, with their sequence numbers (ascending).
    private var entries: [(sequence: UInt64, change: Change)] = []
    /// The sequence number the entries follow: the latest change when there are none (0 for a new journal).
    private var base: UInt64 = 0

    /// An empty journal.
    public init() {}

    /// The sequence number of the latest change, 0 when there has been none.
    public var last: UInt64 { entries.last?.sequence ?? base }

    /// The number of changes held.
    var count: Int { entries.count }

    /// Records one change.
    mutating func record(_ change: Change) {
        if entries.count >= Self.capacity {
            base = entries[Self.capacity / 2 - 1].sequence
            entries.removeFirst(Self.capacity / 2)
        }
        let sequence = Self.counter.add(1, ordering: .relaxed).newValue
        entries.append((sequence, change))
    }

    /// Drops the entries: a builder that saw this journal as it is now still finds its place (``last`` is kept),
    /// and one that saw an older state compares everything, as it would once the entries were dropped as old.
    mutating func forgetEarlierChanges() {
        base = last
        entries = []
    }

    /// Drops the entries and moves to a new number no builder has seen: every builder starts over. For a batch of
    /// changes so large that listing them costs more memory than redoing everything costs time.
    mutating func forgetAllChanges() {
        entries = []
        base = Self.counter.add(1, ordering: .relaxed).newValue
    }

    /// The changes after the one numbered `sequence`, nil when this journal does not hold it (another lineage, or
    /// dropped as old). `sequence` 0 matches only a journal that never changed.
    public func changes(after sequence: UInt64) -> [Change]? {
        if sequence == base { return entries.map(\.change) }
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].sequence < sequence { low = middle + 1 } else { high = middle }
        }
        guard low < entries.count, entries[low].sequence == sequence else { return nil }
        return entries[(low + 1)...].map(\.change)
    }

    /// Journals never make states differ.
    public static func == (lhs: ChangeJournal, rhs: ChangeJournal) -> Bool { true }
}
