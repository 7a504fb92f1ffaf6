import NIOCore

/// Low-level byte scanning shared by the HTTP/1.1 parsers: character classes, finding the end of a field section,
/// case-insensitive comparison and the small list/number grammars. Works on raw readable bytes, never copies.
enum HTTP1Scanner {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let sp = UInt8(ascii: " ")
    static let htab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let dquote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    // MARK: Character classes

    /// `tchar` of RFC 9110 §5.6.2: one ASCII flag ("1" or "0") per byte value, as constant data.
    @inline(__always)
    static var tokenTable: StaticString {
        """
        0000000000000000000000000000000001011111001101101111111111000000\
        0111111111111111111111111110001111111111111111111111111111101010\
        0000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000
        """
    }

    /// Whether `b` is a `tchar` (a character allowed in methods, header names and other tokens).
    @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool {
        tokenTable.utf8Start[Int(b)] == UInt8(ascii: "1")
    }

    /// SP or HTAB.
    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool {
        b == sp || b == htab
    }

    /// A byte allowed in a field value or reason phrase: HTAB, SP, VCHAR, obs-text (not NUL, CR, LF, other controls, DEL).
    @inline(__always)
    static func isFieldValueChar(_ b: UInt8) -> Bool {
        (b >= 0x20 && b != 0x7F) || b == htab
    }

    /// A byte allowed in a request target: anything but controls, SP and DEL (obs-text is tolerated).
    @inline(__always)
    static func isTargetChar(_ b: UInt8) -> Bool {
        b > 0x20 && b != 0x7F
    }

    /// ASCII lowercase of one byte.
    @inline(__always)
    static func lowercased(_ b: UInt8) -> UInt8 {
        b &- 0x41 < 26 ? b | 0x20 : b
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int? {
        if b &- 0x30 < 10 { return Int(b &- 0x30) }
        let l = b | 0x20
        if l &- 0x61 < 6 { return Int(l &- 0x61 &+ 10) }
        return nil
    }

    // MARK: Eight bytes at a time

    /// A word with every byte set to `b`.
    @inline(__always)
    static func repeated(_ b: UInt8) -> UInt64 {
        0x0101_0101_0101_0101 &* UInt64(b)
    }

    /// One bit (0x80) set in each byte of `w` that is not visible (a control, SP or DEL; obs-text counts as
    /// visible). Only the lowest set bit is exact, which is all `firstByteOffset` needs.
    @inline(__always)
    static func invisibleBytes(_ w: UInt64) -> UInt64 {
        let below = (w &- repeated(0x21)) & ~w
        let x = w ^ repeated(0x7F)
        let del = (x &- repeated(0x01)) & ~x
        return (below | del) & 0x8080_8080_8080_8080
    }

    /// One bit (0x80) set in each byte of `w` equal to `b`; only the lowest set bit is exact.
    @inline(__always)
    static func matchingBytes(_ b: UInt8, _ w: UInt64) -> UInt64 {
        let x = w ^ repeated(b)
        return (x &- repeated(0x01)) & ~x & 0x8080_8080_8080_8080
    }

    /// The offset in its word of the byte flagged by the lowest bit of a non-zero `mask` (words are loaded
    /// little-endian).
    @inline(__always)
    static func firstByteOffset(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount &>> 3
    }

    /// The 8 bytes of `p` at `offset` as a little-endian word.
    @inline(__always)
    static func word(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The first offset from `i` of a byte that is not visible (a control, SP or DEL), looking 8 bytes at a time;
    /// stops early (at most 7 bytes before the end of `p`) where fewer than 8 bytes remain.
    @inline(__always)
    static func skipVisible(_ p: UnsafeRawBufferPointer, from i: Int) -> Int {
        var i = i
        let last = p.count &- 8
        while i <= last {
            let mask = invisibleBytes(word(p, i))
            if mask != 0 { return i &+ firstByteOffset(mask) }
            i &+= 8
        }
        return i
    }

    // MARK: Comparison

    /// Whether `p[range]` equals `lower` (an ASCII, already lowercase name), ignoring ASCII case.
    @inline(__always)
    static func equalsLowercased(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ lower: StaticString) -> Bool {
        lower.withUTF8Buffer { equalsLowercased(p, range, $0) }
    }

    /// Whether `p[range]` equals the lowercase bytes `lower`, ignoring ASCII case.
    @inline(__always)
    static func equalsLowercased(
        _ p: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ lower: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard range.count == lower.count else { return false }
        var i = range.lowerBound
        var j = 0
        while j < lower.count {
            if lowercased(p[i]) != lower[j] { return false }
            i &+= 1
            j &+= 1
        }
        return true
    }

    /// Whether two ranges of `p` are equal ignoring ASCII case.
    static func equalsIgnoringCase(_ p: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.lowerBound
        var j = b.lowerBound
        while i < a.upperBound {
            if lowercased(p[i]) != lowercased(p[j]) { return false }
            i &+= 1
            j &+= 1
        }
        return true
    }

    // MARK: Lists and numbers

    /// `range` without leading and trailing SP/HTAB.
    static func trimmingWhitespace(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi, isWhitespace(p[lo]) { lo &+= 1 }
        while hi > lo, isWhitespace(p[hi &- 1]) { hi &-= 1 }
        return lo..<hi
    }

    /// Calls `body` with each comma-separated element of `p[range]`, whitespace trimmed (elements may be empty).
    /// Stops early and returns false when `body` does.
    @inline(__always)
    static func forEachListElement(
        _ p: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ body: (Range<Int>) -> Bool
    ) -> Bool {
        var start = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            if p[i] == comma {
                if !body(trimmingWhitespace(p, start..<i)) { return false }
                start = i &+ 1
            }
            i &+= 1
        }
        return body(trimmingWhitespace(p, start..<range.upperBound))
    }

    /// Whether every byte of a non-empty `p[range]` is a token character.
    static func isToken(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        if range.isEmpty { return false }
        for i in range where !isTokenChar(p[i]) { return false }
        return true
    }

    /// A non-empty run of decimal digits as `Int`, or nil (signs, spaces, other characters, overflow).
    static func parseDecimal(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        if range.isEmpty { return nil }
        var value = 0
        for i in range {
            let d = p[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(Int(d))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    // MARK: Sections

    /// How far the search for the end of a field section (head or trailers) has got; kept between calls so bytes are
    /// scanned once even when they arrive one at a time. Offsets are from the section start (the buffer's readerIndex).
    struct SectionProgress: Sendable {
        /// Bytes already scanned.
        var scanned = 0
        /// Length of the first line (without CRLF), once its end was seen.
        var firstLineLength: Int?
        /// Leading empty lines skipped before a request line.
        var emptyLinesSkipped = 0
        /// Whether any byte of this message was seen (so EOF now would cut a message).
        var sawBytes = false
    }

    /// Outcome of `scanSection`.
    enum SectionScan {
        /// The section (ending with an empty line) is `length` bytes long.
        case complete(length: Int)
        /// No empty line yet in the bytes given.
        case incomplete
        /// A LF without CR before it.
        case bareLineFeed
    }

    /// Looks for the empty line that ends a field section in `p`, starting at `progress.scanned`.
    /// Every LF must follow a CR; the section ends at the first LF that follows "\r\n\r" or, at offset 1, "\r".
    /// (Bare CRs inside lines are caught by the line parsers, which stop at CR and demand LF.)
    static func scanSection(_ p: UnsafeRawBufferPointer, progress: inout SectionProgress) -> SectionScan {
        let n = p.count
        var i = progress.scanned
        while true {
            // Jump to the next LF, 8 bytes at a time while 8 remain, then byte by byte.
            if i &+ 8 <= n {
                let mask = matchingBytes(lf, word(p, i))
                if mask == 0 {
                    i &+= 8
                    continue
                }
                i &+= firstByteOffset(mask)
            } else {
                while i < n && p[i] != lf { i &+= 1 }
                if i == n { break }
            }
            if i == 0 || p[i &- 1] != cr { return .bareLineFeed }
            if progress.firstLineLength == nil { progress.firstLineLength = i &- 1 }
            if i == 1 || (i >= 3 && p[i &- 2] == lf) {
                progress.scanned = i &+ 1
                return .complete(length: i &+ 1)
            }
            i &+= 1
        }
        progress.scanned = n
        return .incomplete
    }

    /// Outcome of `scanHead`.
    enum HeadScan {
        /// The head is the first `length` readable bytes.
        case complete(length: Int)
        /// More bytes are needed.
        case needMoreData
        /// The head is malformed or over a limit.
        case error(HTTP1ParseError)
    }

    /// What one look at the buffer found, inside `scanHead`.
    private enum HeadLook {
        case scanned(SectionScan)
        case emptyLine
        case needMoreData
        case error(HTTP1ParseError)
    }

    /// Finds the end of a message head at the start of `buffer`, enforcing the head, line and empty-line limits.
    /// With `skipEmptyLines` (requests), leading CRLFs are consumed from the buffer first.
    static func scanHead(
        _ buffer: inout ByteBuffer,
        progress: inout SectionProgress,
        limits: HTTP1Limits,
        skipEmptyLines: Bool
    ) -> HeadScan {
        while true {
            let readable = buffer.readableBytes
            if readable == 0 { return .needMoreData }
            progress.sawBytes = true
            if readable <= progress.scanned { return .needMoreData }
            let window = min(readable, limits.maxHeadBytes)
            let (look, scanned) = buffer.withUnsafeReadableBytes { raw -> (HeadLook, SectionProgress) in
                var local = progress
                let p = UnsafeRawBufferPointer(rebasing: raw[0..<window])
                if local.scanned == 0 {
                    // Leading empty lines (RFC 9112 §2.2), and bare CR/LF at the very start.
                    let first = p[0]
                    if first == lf {
                        return (.error(HTTP1ParseError(.bareLineFeed, "LF without CR before the start line")), local)
                    }
                    if first == cr {
                        guard p.count >= 2 else { return (.needMoreData, local) }
                        guard p[1] == lf else {
                            return (.error(HTTP1ParseError(.bareCarriageReturn, "CR without LF before the start line")), local)
                        }
                        return (.emptyLine, local)
                    }
                }
                return (.scanned(scanSection(p, progress: &local)), local)
            }
            progress = scanned
            let result: SectionScan
            switch look {
            case .needMoreData:
                return .needMoreData
            case .error(let error):
                return .error(error)
            case .emptyLine:
                guard skipEmptyLines else {
                    return .error(HTTP1ParseError(.invalidStartLine, "empty line instead of a status line"))
                }
                progress.emptyLinesSkipped &+= 1
                if progress.emptyLinesSkipped > limits.maxLeadingEmptyLines {
                    return .error(HTTP1ParseError(.tooManyLeadingEmptyLines, "too many empty lines before the request"))
                }
                buffer.moveReaderIndex(forwardBy: 2)
                continue
            case .scanned(let scan):
                result = scan
            }
            // The start line is checked first: a long line also makes a large head, but 414 says more.
            if let lineLength = progress.firstLineLength {
                if lineLength > limits.maxRequestLineBytes {
                    return .error(HTTP1ParseError(.startLineTooLong, "start line longer than \(limits.maxRequestLineBytes) bytes"))
                }
            } else if progress.scanned > limits.maxRequestLineBytes &+ 1 {
                return .error(HTTP1ParseError(.startLineTooLong, "start line longer than \(limits.maxRequestLineBytes) bytes"))
            }
            switch result {
            case .complete(let length):
                return .complete(length: length)
            case .bareLineFeed:
                return .error(HTTP1ParseError(.bareLineFeed, "LF without CR in the message head"))
            case .incomplete:
                if window >= limits.maxHeadBytes {
                    return .error(HTTP1ParseError(.headTooLarge, "message head larger than \(limits.maxHeadBytes) bytes"))
                }
                return .needMoreData
            }
        }
    }
}
