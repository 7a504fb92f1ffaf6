/// A small, fast pseudo-random generator (wyrand) for request IDs (see ``RequestID``); one per event loop, seeded from the system
/// generator once, so no syscall happens per request. Not for secrets.
struct FastRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Seeds from the system's random source.
    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }
}
