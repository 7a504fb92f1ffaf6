import NIOCore

/// The body half of both parsers: yields body slices for Content-Length, chunked and close-delimited bodies, then
/// trailers and `.end`. Chunk framing is validated strictly and never rescanned.
struct HTTP1BodyDecoder: Sendable {
    /// Where in the body the decoder is.
    enum State: Sendable {
        /// This many body bytes (> 0) are still to come.
        case contentLength(remaining: Int)
        /// Waiting for a complete chunk-size line; `scanned` bytes of it were already checked.
        case chunkLine(scanned: Int)
        /// This many bytes (> 0) of the current chunk's data are still to come.
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data is next.
        case chunkDataEnd
        /// The trailer section (after the last chunk) is next.
        case trailers(HTTP1Scanner.SectionProgress)
        /// Everything up to the end of input is body.
        case untilClose
        /// The body is complete; `.end` is next.
        case finished
    }

    /// Where in the body the decoder is.
    private(set) var state: State

    /// Starts decoding a body framed as `framing`.
    init(framing: HTTP1BodyFraming) {
        switch framing {
        case .none: state = .finished
        case .contentLength(let n): state = n > 0 ? .contentLength(remaining: n) : .finished
        case .chunked: state = .chunkLine(scanned: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the decoder is inside a body whose end has not been reached (EOF now would truncate it).
    var isMidBody: Bool {
        switch state {
        case .untilClose, .finished: return false
        default: return true
        }
    }

    /// The body bytes still to come of a Content-Length body, nil for any other framing or state.
    var contentLengthLeft: Int? {
        if case .contentLength(let remaining) = state { return remaining }
        return nil
    }

    /// Counts `count` bytes of a Content-Length body as read, when they were moved past the parser (spliced from
    /// socket to socket). `count` must be between 1 and ``contentLengthLeft``.
    mutating func skipContentLength(_ count: Int) {
        guard case .contentLength(let remaining) = state, count > 0, count <= remaining else {
            preconditionFailure("skipped \(count) body bytes outside a Content-Length body or past its end")
        }
        state = count == remaining ? .finished : .contentLength(remaining: remaining &- count)
    }

    /// The next body event from `buffer`: `.body`, `.trailers`, `.end` (then the message is over), `.needMoreData`
    /// or `.error`.
    mutating func next(_ buffer: inout ByteBuffer, limits: HTTP1Limits) -> HTTP1ParseEvent {
        while true {
            switch state {
            case .finished:
                return .end

            case .contentLength(let remaining):
                let available = buffer.readableBytes
                if available == 0 { return .needMoreData }
                let n = min(available, remaining)
                state = n == remaining ? .finished : .contentLength(remaining: remaining &- n)
                return .body(readSlice(&buffer, n))

            case .untilClose:
                let available = buffer.readableBytes
                if available == 0 { return .needMoreData }
                return .body(readSlice(&buffer, available))

            case .chunkData(let remaining):
                let available = buffer.readableBytes
                if available == 0 { return .needMoreData }
                let n = min(available, remaining)
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining &- n)
                return .body(readSlice(&buffer, n))

            case .chunkDataEnd:
                guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMoreData }
                guard first == HTTP1Scanner.cr else {
                    return .error(HTTP1ParseError(.invalidChunkTerminator, "chunk data not followed by CRLF"))
                }
                guard let second = buffer.getInteger(at: buffer.readerIndex &+ 1, as: UInt8.self) else {
                    return .needMoreData
                }
                guard second == HTTP1Scanner.lf else {
                    return .error(HTTP1ParseError(.invalidChunkTerminator, "chunk data not followed by CRLF"))
                }
                buffer.moveReaderIndex(forwardBy: 2)
                state = .chunkLine(scanned: 0)

            case .chunkLine(let scanned):
                let line = Self.scanChunkLine(buffer, scanned: scanned, limits: limits)
                switch line {
                case .incomplete(let scanned):
                    state = .chunkLine(scanned: scanned)
                    return .needMoreData
                case .error(let error):
                    return .error(error)
                case .complete(let size, let lineLength):
                    buffer.moveReaderIndex(forwardBy: lineLength &+ 2)
                    state = size == 0 ? .trailers(HTTP1Scanner.SectionProgress()) : .chunkData(remaining: size)
                }

            case .trailers(var progress):
                let readable = buffer.readableBytes
                if readable <= progress.scanned { return .needMoreData }
                let window = min(readable, limits.maxHeadBytes)
                let scan = buffer.withUnsafeReadableBytes { raw in
                    HTTP1Scanner.scanSection(UnsafeRawBufferPointer(rebasing: raw[0..<window]), progress: &progress)
                }
                switch scan {
                case .bareLineFeed:
                    return .error(HTTP1ParseError(.bareLineFeed, "LF without CR in the trailer section"))
                case .incomplete:
                    if window >= limits.maxHeadBytes {
                        return .error(HTTP1ParseError(.headTooLarge, "trailer section larger than \(limits.maxHeadBytes) bytes"))
                    }
                    state = .trailers(progress)
                    return .needMoreData
                case .complete(let length):
                    if length == 2 {
                        buffer.moveReaderIndex(forwardBy: 2)
                        state = .finished
                        return .end
                    }
                    let bytes = readSlice(&buffer, length)
                    var fields: [HTTP1HeaderField] = []
                    let error = bytes.withUnsafeReadableBytes { p in
                        HTTP1FieldParser.parseFieldLines(p, from: 0, maxCount: limits.maxHeaderCount, into: &fields)
                    }
                    if let error { return .error(error) }
                    state = .finished
                    return .trailers(HTTP1Trailers(bytes: bytes, headers: fields))
                }
            }
        }
    }

    /// The event for the end of input: `.end` for a close-delimited (or already complete) body, else an error.
    mutating func inputClosed() -> HTTP1ParseEvent {
        switch state {
        case .untilClose, .finished:
            state = .finished
            return .end
        default:
            return .error(HTTP1ParseError(.incompleteMessage, "connection closed in the middle of a body"))
        }
    }

    /// Consumes `length` readable bytes of `buffer` as a slice.
    @inline(__always)
    private func readSlice(_ buffer: inout ByteBuffer, _ length: Int) -> ByteBuffer {
        guard let slice = buffer.readSlice(length: length) else {
            preconditionFailure("HTTP1BodyDecoder: slice of \(length) bytes beyond the readable bytes")
        }
        return slice
    }

    /// Outcome of `scanChunkLine`.
    enum ChunkLine {
        /// A valid line of `lineLength` bytes (CRLF excluded) announcing `size` bytes.
        case complete(size: Int, lineLength: Int)
        /// No CRLF yet; `scanned` bytes were checked.
        case incomplete(scanned: Int)
        /// The line is malformed or too long.
        case error(HTTP1ParseError)
    }

    /// Finds and validates the chunk-size line at the start of `buffer`:
    /// `chunk-size *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ) CRLF`.
    static func scanChunkLine(_ buffer: ByteBuffer, scanned: Int, limits: HTTP1Limits) -> ChunkLine {
        buffer.withUnsafeReadableBytes { p in
            // Never look further than one byte past the longest allowed line plus its CRLF.
            let n = min(p.count, limits.maxChunkHeaderBytes &+ 2)
            var i = scanned
            while i < n {
                let b = p[i]
                if b == HTTP1Scanner.lf {
                    return .error(HTTP1ParseError(.bareLineFeed, "LF without CR in chunk framing"))
                }
                if b == HTTP1Scanner.cr {
                    guard i &+ 1 < n else { break }
                    guard p[i &+ 1] == HTTP1Scanner.lf else {
                        return .error(HTTP1ParseError(.bareCarriageReturn, "CR without LF in chunk framing"))
                    }
                    if i > limits.maxChunkHeaderBytes {
                        return .error(HTTP1ParseError(.chunkHeaderTooLong, "chunk-size line too long"))
                    }
                    return parseChunkLine(UnsafeRawBufferPointer(rebasing: p[0..<i]))
                }
                i &+= 1
            }
            if i > limits.maxChunkHeaderBytes {
                return .error(HTTP1ParseError(.chunkHeaderTooLong, "chunk-size line too long"))
            }
            return .incomplete(scanned: i)
        }
    }

    /// Parses one chunk-size line (without CRLF).
    static func parseChunkLine(_ p: UnsafeRawBufferPointer) -> ChunkLine {
        typealias S = HTTP1Scanner
        let n = p.count
        var i = 0
        var size = 0
        while i < n, let digit = S.hexValue(p[i]) {
            if i == 16 || size > Int.max >> 4 {
                return .error(HTTP1ParseError(.invalidChunkSize, "chunk size too large"))
            }
            size = size << 4 | digit
            i &+= 1
        }
        let sizeEnd = i
        if sizeEnd == 0 {
            return .error(HTTP1ParseError(.invalidChunkSize, "chunk size is not hexadecimal"))
        }
        let badExtension = ChunkLine.error(HTTP1ParseError(.invalidChunkExtension, "malformed chunk extension"))
        while i < n {
            let elementStart = i
            while i < n, S.isWhitespace(p[i]) { i &+= 1 }
            guard i < n, p[i] == S.semicolon else {
                // Right after the digits, anything but an extension means a bad size ("0x10", "5 5", "5 ").
                if elementStart == sizeEnd {
                    return .error(HTTP1ParseError(.invalidChunkSize, "chunk size is not hexadecimal"))
                }
                return badExtension
            }
            i &+= 1
            while i < n, S.isWhitespace(p[i]) { i &+= 1 }
            let nameStart = i
            while i < n, S.isTokenChar(p[i]) { i &+= 1 }
            if i == nameStart { return badExtension }
            var j = i
            while j < n, S.isWhitespace(p[j]) { j &+= 1 }
            guard j < n, p[j] == S.equals else { continue }
            i = j &+ 1
            while i < n, S.isWhitespace(p[i]) { i &+= 1 }
            guard i < n else { return badExtension }
            if p[i] == S.dquote {
                i &+= 1
                var closed = false
                while i < n {
                    let b = p[i]
                    if b == S.dquote {
                        i &+= 1
                        closed = true
                        break
                    }
                    if b == S.backslash {
                        i &+= 1
                        guard i < n, S.isFieldValueChar(p[i]) else { return badExtension }
                    } else if !S.isFieldValueChar(b) {
                        return badExtension
                    }
                    i &+= 1
                }
                if !closed { return badExtension }
            } else {
                let valueStart = i
                while i < n, S.isTokenChar(p[i]) { i &+= 1 }
                if i == valueStart { return badExtension }
            }
        }
        return .complete(size: size, lineLength: n)
    }
}
