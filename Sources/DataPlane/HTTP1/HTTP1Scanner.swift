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

    /// `tchar` of RFC 9110 §5.6.2, as bitmaps of the bytes 0–63 and 64–127.
    @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool {
        if b < 64 { return (0x03FF_6CFA_0000_0000 as UInt64) &>> UInt64(b) & 1 != 0 }
        if b < 128 { return (0x57FF_FFFF_C7FF_FFFE as UInt64) &>> UInt64(b &- 64) & 1 != 0 }
        return false
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
        while i < n {
            if p[i] == lf {
                if i == 0 || p[i &- 1] != cr { return .bareLineFeed }
                if progress.firstLineLength == nil { progress.firstLineLength = i &- 1 }
                if i == 1 || (i >= 3 && p[i &- 2] == lf) {
                    progress.scanned = i &+ 1
                    return .complete(length: i &+ 1)
                }
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

    /// Finds the end of a message head at the start of `buffer`, enforcing the head, line and empty-line limits.
    /// With `skipEmptyLines` (requests), leading CRLFs are consumed from the buffer first.
    static func scanHead(
        _ buffer: inout ByteBuffer,
        progress: inout SectionProgress,
        limits: HTTP1Limits,
        skipEmptyLines: Bool
    ) -> HeadScan {
        if progress.scanned == 0 {
            // Leading empty lines (RFC 9112 §2.2), and bare CR/LF at the very start.
            while let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) {
                progress.sawBytes = true
                if first == lf {
                    return .error(HTTP1ParseError(.bareLineFeed, "LF without CR before the start line"))
                }
                guard first == cr else { break }
                guard let second = buffer.getInteger(at: buffer.readerIndex &+ 1, as: UInt8.self) else {
                    return .needMoreData
                }
                guard second == lf else {
                    return .error(HTTP1ParseError(.bareCarriageReturn, "CR without LF before the start line"))
                }
                guard skipEmptyLines else {
                    return .error(HTTP1ParseError(.invalidStartLine, "empty line instead of a status line"))
                }
                progress.emptyLinesSkipped &+= 1
                if progress.emptyLinesSkipped > limits.maxLeadingEmptyLines {
                    return .error(HTTP1ParseError(.tooManyLeadingEmptyLines, "too many empty lines before the request"))
                }
                buffer.moveReaderIndex(forwardBy: 2)
            }
        }
        let readable = buffer.readableBytes
        if readable == 0 { return .needMoreData }
        progress.sawBytes = true
        if readable <= progress.scanned { return .needMoreData }
        let window = min(readable, limits.maxHeadBytes)
        let result = buffer.withUnsafeReadableBytes { raw in
            scanSection(UnsafeRawBufferPointer(rebasing: raw[0..<window]), progress: &progress)
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
