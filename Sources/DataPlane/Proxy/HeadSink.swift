import NIOCore

/// Where the head writers put their bytes: a ``HeadByteWriter`` over memory reserved for the whole head (its size
/// bounded from the received head, or counted first with a ``HeadByteCounter``). Each piece is then one copy, with
/// no capacity, uniqueness or index bookkeeping per piece (``ByteBuffer``'s writes pay those every time).
protocol HeadSink {
    /// Appends `bytes`.
    mutating func write(_ bytes: UnsafeRawBufferPointer)
}

extension HeadSink {
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

    /// Appends a non-negative integer in decimal.
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

    /// Appends 16 lowercase hex digits.
    mutating func write(hex value: UInt64) {
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var word = value
            for index in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: word & 0xF)
                buffer[15 - index] = digit < 10 ? digit &+ 48 : digit &+ 87
                word >>= 4
            }
            write(UnsafeRawBufferPointer(rebasing: buffer[0..<16]))
        }
    }
}

/// Counts what a head writer writes.
struct HeadByteCounter: HeadSink {
    /// Bytes written so far.
    private(set) var count = 0

    mutating func write(_ bytes: UnsafeRawBufferPointer) { count &+= bytes.count }
}

/// Copies what a head writer writes into memory reserved for it.
struct HeadByteWriter: HeadSink {
    private let memory: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    private(set) var count = 0

    init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        // The memory was sized by the head's bound (or count); a head that outgrew it stops here.
        precondition(bytes.count <= memory.count &- count, "head outgrew the memory reserved for it")
        guard let target = memory.baseAddress, let source = bytes.baseAddress else { return }
        (target + count).copyMemory(from: source, byteCount: bytes.count)
        count &+= bytes.count
    }
}

/// A message head that can be written into any ``HeadSink``; it must write the same bytes every time.
protocol HeadContent {
    /// At least as many bytes as ``write(into:)`` writes, when that is cheap to bound; nil to have them counted.
    var maximumByteCount: Int? { get }
    /// Writes the head.
    func write(into sink: inout some HeadSink)
}

extension ByteBuffer {
    /// A buffer holding `content`, with `extraCapacity` bytes of room after it. Its memory is reserved once, at the
    /// content's bound, or at its size counted by writing it once into a ``HeadByteCounter``.
    init(head content: some HeadContent, extraCapacity: Int = 0) {
        let size: Int
        if let bound = content.maximumByteCount {
            size = bound
        } else {
            var counter = HeadByteCounter()
            content.write(into: &counter)
            size = counter.count
        }
        self = ByteBufferAllocator().buffer(capacity: size + extraCapacity)
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory in
            var writer = HeadByteWriter(memory)
            content.write(into: &writer)
            return writer.count
        }
    }
}
