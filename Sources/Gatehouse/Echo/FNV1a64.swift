import NIOCore

/// An incremental FNV-1a 64-bit checksum.
///
/// The echo backend reports it for request bodies (`bodyFNV1a64`) instead of a SHA-256 digest: it needs no
/// dependency, streams byte by byte and is enough to tell whether a proxy forwarded a body unchanged.
struct FNV1a64: Sendable, Hashable {
    /// The FNV-1a 64-bit offset basis: the checksum of no bytes.
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV 64-bit prime.
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The checksum of every byte fed so far.
    private(set) var value: UInt64 = FNV1a64.offsetBasis

    /// Starts a checksum of no bytes.
    init() {}

    /// Feeds raw bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var hash = self.value
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* FNV1a64.prime
        }
        self.value = hash
    }

    /// Feeds the readable bytes of `buffer` (without consuming them).
    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { self.update($0) }
    }

    /// Feeds a sequence of bytes.
    mutating func update(_ bytes: some Sequence<UInt8>) {
        var hash = self.value
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* FNV1a64.prime
        }
        self.value = hash
    }

    /// The checksum as 16 lowercase hex digits, zero-padded.
    var hex: String {
        let digits = String(self.value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
