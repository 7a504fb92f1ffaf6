/// A small, fast pseudo-random generator (wyrand) for request IDs; one per event loop, seeded from the system
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

    /// 32 lowercase hex digits (128 bits), the form ingress-nginx uses for `X-Request-ID`.
    mutating func requestID() -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 32)
        var word = next()
        for index in 0..<32 {
            if index == 16 { word = next() }
            bytes[index] = digits[Int(word & 0xF)]
            word >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
