import NIOCore

/// Writes a message head into memory reserved once for all of it, at a bound the head writers prove from the
/// received head. Each piece is then one copy, with no capacity, uniqueness or index bookkeeping per piece
/// (``ByteBuffer``'s writes pay those every time). A piece that does not fit is not written and marks the writer
/// ``overflowed`` (the head is then written again into more memory).
struct HeadByteWriter {
    private let memory: UnsafeMutableRawBufferPointer
    /// Bytes written so far; `Int.max` once a piece did not fit (no later piece fits after it either).
    private(set) var count = 0
    /// Whether a piece did not fit.
    var overflowed: Bool { count > memory.count }

    init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    /// Appends `bytes`.
    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= memory.count &- count else {
            count = .max
            return
        }
        guard let target = memory.baseAddress, let source = bytes.baseAddress else { return }
        (target + count).copyMemory(from: source, byteCount: bytes.count)
        count &+= bytes.count
    }

    /// Appends a literal.
    @inline(__always)
    mutating func write(_ string: StaticString) {
        string.withUTF8Buffer { write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a string's UTF-8 bytes.
    @inline(__always)
    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a buffer's readable bytes.
    @inline(__always)
    mutating func write(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { write($0) }
    }

    /// Appends `range` of `source`; nothing when the range is outside it (ranges come from the parser, which
    /// keeps them inside, so this never drops a piece; it keeps a mistake from reading past the head).
    @inline(__always)
    mutating func write(_ source: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard range.lowerBound >= 0, range.upperBound <= source.count else { return }
        write(UnsafeRawBufferPointer(rebasing: source[range]))
    }

    /// Appends an integer in decimal (at most 20 bytes).
    mutating func write(decimal value: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = value.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            write(UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Appends `value` as 16 lowercase hex digits, most significant first. Each 32-bit half has its nibbles spread
    /// into the bytes of a word, which become ASCII all at once: `0`–`9` for nibbles below 10, `a`–`f` above.
    mutating func write(hex value: UInt64) {
        @inline(__always) func digits(_ half: UInt32) -> UInt64 {
            var word = UInt64(half)
            word = (word | word << 16) & 0x0000_FFFF_0000_FFFF
            word = (word | word << 8) & 0x00FF_00FF_00FF_00FF
            word = (word | word << 4) & 0x0F0F_0F0F_0F0F_0F0F
            // 1 in each byte whose nibble is 10 or more (adding 6 carries into bit 4), then 39 more for those.
            let letters = ((word &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
            return (word &+ 0x3030_3030_3030_3030 &+ letters &* 39).bigEndian
        }
        var text = (digits(UInt32(truncatingIfNeeded: value >> 32)), digits(UInt32(truncatingIfNeeded: value)))
        withUnsafeBytes(of: &text) { write($0) }
    }
}

extension ByteBuffer {
    /// A buffer holding a head that `write` writes from `head`'s bytes, with memory for `bound` bytes of it and
    /// `extraCapacity` more after it; nil when the head did not fit (a wrong bound: the head writers then write it
    /// again with twice the bound, out of line, so that this attempt stays free of the retry). `memory`, when not
    /// nil, is taken and cleared in place: its memory is reused when nothing else refers to it; otherwise `clear`
    /// gives new memory, as a new buffer would, and the old bytes are never shared or changed.
    @inline(__always)
    init?(
        writingFrom head: HTTP1Head,
        bound: Int,
        extraCapacity: Int = 0,
        reusing memory: inout ByteBuffer?,
        _ write: (_ source: UnsafeRawBufferPointer, _ out: inout HeadByteWriter) -> Void
    ) {
        let bound = max(bound, 64)
        memory?.clear(minimumCapacity: bound + extraCapacity)
        self = memory.take() ?? ByteBufferAllocator().buffer(capacity: bound + extraCapacity)
        var fits = true
        head.bytes.withUnsafeReadableBytes { source in
            _ = writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { space in
                var writer = HeadByteWriter(space)
                write(source, &writer)
                fits = !writer.overflowed
                return fits ? writer.count : 0
            }
        }
        if !fits { return nil }
    }
}
