import NIOCore

/// A strict, incremental HTTP/1.1 request parser over a caller-owned cumulation buffer.
///
/// The caller appends what it reads to one `ByteBuffer` per connection and calls `next(_:)` until `.needMoreData`.
/// `next` consumes (moves the readerIndex past) what it used; bytes of a pipelined next request stay in the buffer.
/// Between calls the caller may append to the buffer but must not consume from it. Bytes are scanned once, however
/// they are split. A body-less request yields `.head` then `.end`. After `.error` the parser stays failed.
/// After a CONNECT request, or an upgrade the upstream accepted, the following bytes are not HTTP: stop calling `next`.
public struct HTTP1RequestParser: Sendable {
    /// Where in the stream the parser is.
    enum State: Sendable {
        /// Looking for the next request head.
        case head(HTTP1Scanner.SectionProgress)
        /// `PRI * HTTP/2.0` opened the connection; waiting for the whole 24-byte preface to confirm it.
        case preface
        /// Inside a request body (or about to report `.end`).
        case body(HTTP1BodyDecoder)
        /// Failed; repeats the error.
        case failed(HTTP1ParseError)
    }

    /// The HTTP/2 connection preface (RFC 9113 §3.4).
    static let preface: StaticString = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    /// The length of the preface's request-line-like part, `PRI * HTTP/2.0\r\n\r\n`.
    static let prefaceHeadLength = 18

    /// The limits in force.
    public let limits: HTTP1Limits
    /// Where in the stream the parser is.
    private(set) var state: State = .head(HTTP1Scanner.SectionProgress())
    /// The field array of the last head given back (``recycle(_:)``), for the next head's fields.
    private var fieldStorage = HTTP1FieldStorage()
    /// Request heads parsed so far on this connection.
    public private(set) var messageCount = 0

    /// Creates a parser for one connection.
    public init(limits: HTTP1Limits = .init()) {
        self.limits = limits
    }

    /// The next event from `buffer`, consuming what it used.
    public mutating func next(_ buffer: inout ByteBuffer) -> HTTP1ParseEvent {
        switch state {
        case .failed(let error):
            return .error(error)

        case .body(var decoder):
            let event = decoder.next(&buffer, limits: limits)
            switch event {
            case .end: state = .head(HTTP1Scanner.SectionProgress())
            case .error(let error): state = .failed(error)
            default: state = .body(decoder)
            }
            return event

        case .preface:
            return checkPreface(buffer)

        case .head(var progress):
            let scan = HTTP1Scanner.scanHead(&buffer, progress: &progress, limits: limits, skipEmptyLines: true)
            switch scan {
            case .needMoreData:
                state = .head(progress)
                return .needMoreData
            case .error(let error):
                return fail(error)
            case .complete(let length):
                guard let bytes = buffer.getSlice(at: buffer.readerIndex, length: length) else {
                    preconditionFailure("HTTP1RequestParser: head beyond the readable bytes")
                }
                switch Self.parseHead(bytes, limits: limits, fields: fieldStorage.take()) {
                case .failure(let error):
                    if error.kind == .unsupportedVersion, messageCount == 0, progress.emptyLinesSkipped == 0,
                        length == Self.prefaceHeadLength, Self.startsAsPreface(bytes)
                    {
                        state = .preface
                        return checkPreface(buffer)
                    }
                    return fail(error)
                case .success(var head):
                    buffer.moveReaderIndex(forwardBy: length)
                    messageCount &+= 1
                    if head.isChunked {
                        head.bodyFraming = .chunked
                    } else if let n = head.contentLength, n > 0 {
                        head.bodyFraming = .contentLength(n)
                    }
                    state = .body(HTTP1BodyDecoder(framing: head.bodyFraming))
                    return .head(head)
                }
            }
        }
    }

    /// Gives back a head this parser returned, once the caller is done with it: the next head's fields go into its
    /// field array's memory (only if nothing else holds that array by then; see ``HTTP1FieldStorage``).
    public mutating func recycle(_ head: HTTP1Head) {
        fieldStorage.recycle(head)
    }

    /// The bytes still to come of the current request's Content-Length body, nil outside one.
    public var contentLengthLeft: Int? {
        if case .body(let decoder) = state { return decoder.contentLengthLeft }
        return nil
    }

    /// Counts `count` bytes of the current Content-Length body as read without parsing them: the caller moved them
    /// from socket to socket itself. `count` must be between 1 and ``contentLengthLeft``; once the body is
    /// complete, the next ``next(_:)`` reports `.end`.
    public mutating func skipContentLength(_ count: Int) {
        guard case .body(var decoder) = state else {
            preconditionFailure("skipped \(count) body bytes outside a request body")
        }
        decoder.skipContentLength(count)
        state = .body(decoder)
    }

    /// The event for the end of input: `.needMoreData` when no request was in progress (a clean close),
    /// `.error(.incompleteMessage)` when one was cut, `.end` when the current request had just completed.
    public mutating func inputClosed() -> HTTP1ParseEvent {
        switch state {
        case .failed(let error):
            return .error(error)
        case .head(let progress):
            if progress.sawBytes {
                return fail(HTTP1ParseError(.incompleteMessage, "connection closed in the middle of a request head"))
            }
            return .needMoreData
        case .preface:
            return fail(HTTP1ParseError(.incompleteMessage, "connection closed in the middle of the HTTP/2 preface"))
        case .body(var decoder):
            if decoder.isMidBody {
                return fail(HTTP1ParseError(.incompleteMessage, "connection closed in the middle of a request body"))
            }
            state = .head(HTTP1Scanner.SectionProgress())
            return decoder.inputClosed()
        }
    }

    /// Enters the failed state.
    private mutating func fail(_ error: HTTP1ParseError) -> HTTP1ParseEvent {
        state = .failed(error)
        return .error(error)
    }

    /// Compares the buffer with the HTTP/2 preface: the distinct `.http2Preface` error once all 24 bytes match
    /// (leaving them unconsumed), `.needMoreData` while a prefix matches, 505 otherwise.
    private mutating func checkPreface(_ buffer: ByteBuffer) -> HTTP1ParseEvent {
        let matches = Self.preface.withUTF8Buffer { preface in
            buffer.withUnsafeReadableBytes { p in
                let n = min(p.count, preface.count)
                for i in 0..<n where p[i] != preface[i] { return false }
                return true
            }
        }
        guard matches else {
            return fail(HTTP1ParseError(.unsupportedVersion, "HTTP/2.0 is not supported here"))
        }
        if buffer.readableBytes < Self.preface.utf8CodeUnitCount {
            return .needMoreData
        }
        return fail(HTTP1ParseError(.http2Preface, "HTTP/2 prior-knowledge connection preface"))
    }

    /// Whether `bytes` is `PRI * HTTP/2.0\r\n\r\n`.
    private static func startsAsPreface(_ bytes: ByteBuffer) -> Bool {
        preface.withUTF8Buffer { preface in
            bytes.withUnsafeReadableBytes { p in
                guard p.count == prefaceHeadLength else { return false }
                for i in 0..<prefaceHeadLength where p[i] != preface[i] { return false }
                return true
            }
        }
    }

    /// Parses a complete head (request line, fields, derived facts) from `bytes`.
    static func parseHead(
        _ bytes: ByteBuffer,
        limits: HTTP1Limits,
        fields: consuming [HTTP1HeaderField]
    ) -> Result<HTTP1Head, HTTP1ParseError> {
        var fields = fields
        return bytes.withUnsafeReadableBytes { p in
            typealias S = HTTP1Scanner
            // method SP request-target SP HTTP-version CRLF
            var i = 0
            while S.isTokenChar(p[i]) { i &+= 1 }
            let method = 0..<i
            if method.isEmpty {
                return .failure(HTTP1ParseError(.invalidMethod, "empty or invalid method"))
            }
            guard p[i] == S.sp else {
                if p[i] == S.cr {
                    return .failure(HTTP1ParseError(.invalidStartLine, "request line has no target"))
                }
                return .failure(HTTP1ParseError(.invalidMethod, "method has a character that is not a token character"))
            }
            i &+= 1
            let targetStart = i
            i = S.skipVisible(p, from: i)
            while S.isTargetChar(p[i]) { i &+= 1 }
            let target = targetStart..<i
            if target.isEmpty {
                return .failure(HTTP1ParseError(.invalidStartLine, "empty request target or more than one space"))
            }
            guard p[i] == S.sp else {
                if p[i] == S.cr {
                    if p[i &+ 1] != S.lf {
                        return .failure(HTTP1ParseError(.bareCarriageReturn, "CR without LF in the request line"))
                    }
                    return .failure(HTTP1ParseError(.invalidVersion, "request line has no version"))
                }
                return .failure(HTTP1ParseError(.invalidTarget, "control character in the request target"))
            }
            i &+= 1
            let (versionResult, versionEnd) = parseVersion(p, at: i)
            let version: HTTP1Version
            switch versionResult {
            case .success(let v): version = v
            case .failure(let error): return .failure(error)
            }
            i = versionEnd
            guard p[i] == S.cr else {
                return .failure(HTTP1ParseError(.invalidVersion, "unexpected characters after the version"))
            }
            guard p[i &+ 1] == S.lf else {
                return .failure(HTTP1ParseError(.bareCarriageReturn, "CR without LF in the request line"))
            }
            if let error = HTTP1FieldParser.parseFieldLines(
                p,
                from: i &+ 2,
                maxCount: limits.maxHeaderCount,
                into: &fields
            ) {
                return .failure(error)
            }
            var head = HTTP1Head(bytes: bytes, version: version, headers: fields)
            head.methodRange = method
            head.targetRange = target
            if let error = HTTP1FieldParser.analyze(p, head: &head, isRequest: true) {
                return .failure(error)
            }
            return .success(head)
        }
    }

    /// Parses `HTTP/d.d` at `start`: HTTP/1.0 and HTTP/1.1 succeed, other digits are unsupported (505),
    /// anything else is invalid (400). `end` is the offset after the 8 version bytes.
    static func parseVersion(
        _ p: UnsafeRawBufferPointer,
        at start: Int
    ) -> (result: Result<HTTP1Version, HTTP1ParseError>, end: Int) {
        let invalid = HTTP1ParseError(.invalidVersion, "version is not HTTP/<digit>.<digit>")
        // The section ends with CRLF CRLF, so a short version stops at CR before running out of bytes.
        let prefix: StaticString = "HTTP/"
        let prefixMatches = prefix.withUTF8Buffer { prefix in
            var i = start
            for b in prefix {
                if p[i] != b { return false }
                i &+= 1
            }
            return true
        }
        guard prefixMatches else { return (.failure(invalid), start) }
        let major = p[start &+ 5] &- UInt8(ascii: "0")
        guard major < 10, p[start &+ 6] == UInt8(ascii: ".") else { return (.failure(invalid), start) }
        let minor = p[start &+ 7] &- UInt8(ascii: "0")
        guard minor < 10 else { return (.failure(invalid), start) }
        let end = start &+ 8
        let next = p[end]
        if next != HTTP1Scanner.cr && next != HTTP1Scanner.sp {
            return (.failure(invalid), start)
        }
        switch (major, minor) {
        case (1, 1): return (.success(.http1_1), end)
        case (1, 0): return (.success(.http1_0), end)
        default: return (.failure(HTTP1ParseError(.unsupportedVersion, "unsupported HTTP version")), end)
        }
    }
}
