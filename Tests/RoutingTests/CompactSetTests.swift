import Testing

@testable import Routing

/// ``CompactSet`` (one element held inline, more in a `Set`) against `Set` itself.
struct CompactSetTests {
    @Test("random inserts and removes leave the same elements as a Set, across the one/many boundary")
    func agreesWithSet() {
        for seed in UInt64(1)...20 {
            var random = IncrementalAdmissionTests.Generator(state: seed)
            var compact: CompactSet<Int> = []
            var reference: Set<Int> = []
            for _ in 0..<200 {
                let element = Int.random(in: 0..<4, using: &random)
                if Bool.random(using: &random) {
                    compact.insert(element)
                    reference.insert(element)
                } else {
                    compact.remove(element)
                    reference.remove(element)
                }
                #expect(Set(compact) == reference, "seed \(seed)")
                #expect(compact.count == reference.count)
                #expect(compact.isEmpty == reference.isEmpty)
                #expect(Array(compact).count == reference.count)  // each element once
            }
        }
    }

    @Test("an array literal with repeats holds each element once")
    func literal() {
        let set: CompactSet<String> = ["a", "a", "b"]
        #expect(set.count == 2)
        #expect(Set(set) == ["a", "b"])
        let one: CompactSet<String> = ["x", "x"]
        #expect(Array(one) == ["x"])
    }
}
