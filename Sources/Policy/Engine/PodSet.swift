/// A set of Pod indices (into the engine's sorted Pod list) as a bit set: O(1) membership for peer matching.
struct PodSet: Hashable, Sendable {
    /// One bit per Pod index.
    private var words: [UInt64]

    /// An empty set able to hold indices below `capacity`.
    init(capacity: Int) {
        words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    /// Adds an index.
    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// Whether the index is in the set.
    func contains(_ index: Int) -> Bool {
        let word = index >> 6
        return word < words.count && words[word] & (1 << UInt64(index & 63)) != 0
    }

    /// The indices in ascending order.
    var indices: [Int] {
        var result: [Int] = []
        for (wordIndex, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { result.append(wordIndex << 6 | bit) }
        }
        return result
    }
}
