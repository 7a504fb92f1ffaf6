import NIOCore

/// The synthetic response body sent for `X-Echo-Response-Bytes`: byte `i` of the body is `i % 251`.
///
/// One shared buffer holds a chunk plus one period; every chunk written is a slice of it, so streaming any
/// length allocates nothing per chunk and memory stays bounded.
enum EchoPattern {
    /// The pattern's period (a prime, so it does not line up with power-of-two chunk sizes).
    static let period = 251
    /// The largest chunk written at once.
    static let chunkSize = 64 * 1024

    /// `chunkSize + period` bytes of the pattern, starting at phase 0.
    private static let storage = ByteBuffer(bytes: (0..<(chunkSize + period)).map { UInt8($0 % period) })

    /// The pattern byte at absolute body offset `offset`.
    static func byte(at offset: Int) -> UInt8 {
        UInt8(offset % period)
    }

    /// A chunk of `length` (at most `chunkSize`) pattern bytes starting at `phase` (`0..<period`).
    static func chunk(phase: Int, length: Int) -> ByteBuffer {
        precondition((0..<period).contains(phase) && (0...chunkSize).contains(length), "pattern chunk out of range")
        guard let slice = storage.getSlice(at: phase, length: length) else {
            preconditionFailure("pattern storage is shorter than chunkSize + period")
        }
        return slice
    }
}
