import NIOCore

/// A strict, incremental HTTP/1.1 response parser (for upstream responses), used like `HTTP1RequestParser`.
///
/// Call `expectResponse(toHEAD:toCONNECT:)` before each response so bodies are framed right.
/// - An interim head (1xx other than 101, `HTTP1Head.isInterim`) is followed directly by `.end`; then the parser
///   expects the final head of the same exchange.
/// - 101 Switching Protocols (and a 2xx answer to CONNECT) yields `.head`, `.end`, and then parsing is over: the
///   remaining bytes belong to the new protocol and `next` returns `.needMoreData` without touching them.
/// - 204, 304 and responses to HEAD have no body, whatever their Content-Length says.
/// - Without Content-Length or chunked coding the body runs until EOF (`keepAlive` is false); call `inputClosed()`
///   after draining `next` to end it.
/// Upstream errors carry a status that only classifies them: a proxy answers 502.
public struct HTTP1ResponseParser: Sendable {
    /// What follows the `.end` of the current message.
    enum AfterEnd: Sendable {
        /// An interim response: another head of the same exchange.
        case interim
        /// The final response: the next exchange.
        case final
        /// Protocol switch or tunnel: nothing more to parse.
        case switched
    }

    /// Where in the stream the parser is.
    enum State: Sendable {
        /// Looking for the next response head.
        case head(HTTP1Scanner.SectionProgress)
        /// Inside a response body (or about to report `.end`).
        case body(HTTP1BodyDecoder, AfterEnd)
        /// After 101 or a CONNECT tunnel: the bytes are not HTTP any more.
        case switched
        /// The input closed cleanly.
        case closed
        /// Failed; repeats the error.
        case failed(HTTP1ParseError)
    }

    /// The limits in force.
    public let limits: HTTP1Limits
    /// Where in the stream the parser is.
    private(set) var state: State = .head(HTTP1Scanner.SectionProgress())
    /// The field array of the last head given back (``recycle(_:)``), for the next head's fields.
    private var fieldStorage = HTTP1FieldStorage()
    /// Whether the pending request was HEAD.
    private var requestIsHEAD = false
    /// Whether the pending request was CONNECT.
    private var requestIsCONNECT = false

    /// Creates a parser for one upstream connection.
    public init(limits: HTTP1Limits = .init()) {
        self.limits = limits
    }

    /// Tells the parser which request the next final response answers (HEAD ⇒ no body; CONNECT + 2xx ⇒ tunnel).
    public mutating func expectResponse(toHEAD: Bool, toCONNECT: Bool = false) {
        requestIsHEAD = toHEAD
        requestIsCONNECT = toCONNECT
    }

    /// Whether the parser has switched protocols (after 101 or a successful CONNECT): the buffer's bytes are raw.
    public var hasSwitchedProtocols: Bool {
        if case .switched = state { return true }
        return false
    }

    /// The next event from `buffer`, consuming what it used.
    public mutating func next(_ buffer: inout ByteBuffer) -> HTTP1ParseEvent {
        switch state {
        case .failed(let error):
            return .error(error)

        case .switched, .closed:
            return .needMoreData

        case .body(var decoder, let after):
            let event = decoder.next(&buffer, limits: limits)
            switch event {
            case .end: finishMessage(after)
            case .error(let error): state = .failed(error)
            default: state = .body(decoder, after)
            }
            return event

        case .head(var progress):
            let scan = HTTP1Scanner.scanHead(&buffer, progress: &progress, limits: limits, skipEmptyLines: false)
            switch scan {
            case .needMoreData:
                state = .head(progress)
                return .needMoreData
            case .error(let error):
                return fail(error)
            case .complete(let length):
                guard let bytes = buffer.getSlice(at: buffer.readerIndex, length: length) else {
                    preconditionFailure("HTTP1ResponseParser: head beyond the readable bytes")
                }
                switch Self.parseHead(bytes, limits: limits, fields: fieldStorage.take()) {
                case .failure(let error):
                    return fail(error)
                case .success(var head):
                    buffer.moveReaderIndex(forwardBy: length)
                    let after = frame(&head)
                    state = .body(HTTP1BodyDecoder(framing: head.bodyFraming), after)
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

    /// The event for the end of input: `.end` for a close-delimited body (drain `next` first), `.error` when a
    /// message was cut, `.needMoreData` when nothing was in progress (a clean close between responses).
    public mutating func inputClosed() -> HTTP1ParseEvent {
        switch state {
        case .failed(let error):
            return .error(error)
        case .switched, .closed:
            return .needMoreData
        case .head(let progress):
            if progress.sawBytes {
                return fail(HTTP1ParseError(.incompleteMessage, "connection closed in the middle of a response head"))
            }
            state = .closed
            return .needMoreData
        case .body(var decoder, _):
            let event = decoder.inputClosed()
            if case .error(let error) = event { return fail(error) }
            state = .closed
            return event
        }
    }

    /// Decides the body framing and keep-alive of a parsed head; returns what follows its end.
    private func frame(_ head: inout HTTP1Head) -> AfterEnd {
        let status = head.status
        if status < 200 {
            head.bodyFraming = .none
            return status == 101 ? .switched : .interim
        }
        if requestIsCONNECT && status < 300 {
            head.bodyFraming = .none
            return .switched
        }
        if requestIsHEAD || status == 204 || status == 304 {
            head.bodyFraming = .none
        } else if head.isChunked {
            head.bodyFraming = .chunked
        } else if let n = head.contentLength {
            head.bodyFraming = n > 0 ? .contentLength(n) : .none
        } else {
            head.bodyFraming = .untilClose
            head.keepAlive = false
        }
        return .final
    }

    /// Moves on after a message's `.end`.
    private mutating func finishMessage(_ after: AfterEnd) {
        switch after {
        case .interim:
            state = .head(HTTP1Scanner.SectionProgress())
        case .final:
            state = .head(HTTP1Scanner.SectionProgress())
            requestIsHEAD = false
            requestIsCONNECT = false
        case .switched:
            state = .switched
        }
    }

    /// Enters the failed state.
    private mutating func fail(_ error: HTTP1ParseError) -> HTTP1ParseEvent {
        state = .failed(error)
        return .error(error)
    }

    /// Parses a complete head (status line, fields, derived facts) from `bytes`.
    static func parseHead(
        _ bytes: ByteBuffer,
        limits: HTTP1Limits,
        fields: consuming [HTTP1HeaderField]
    ) -> Result<HTTP1Head, HTTP1ParseError> {
        var fields = fields
        return bytes.withUnsafeReadableBytes { p in
            typealias S = HTTP1Scanner
            // HTTP-version SP 3DIGIT [ SP reason-phrase ] CRLF  (a missing SP before an empty reason is tolerated)
            let (versionResult, versionEnd) = HTTP1RequestParser.parseVersion(p, at: 0)
            let version: HTTP1Version
            switch versionResult {
            case .success(let v): version = v
            case .failure(let error): return .failure(error)
            }
            var i = versionEnd
            guard p[i] == S.sp else {
                return .failure(HTTP1ParseError(.invalidStartLine, "status line has no status code"))
            }
            i &+= 1
            var status = 0
            for _ in 0..<3 {
                let d = p[i] &- UInt8(ascii: "0")
                guard d < 10 else {
                    return .failure(HTTP1ParseError(.invalidStatus, "status code is not three digits"))
                }
                status = status &* 10 &+ Int(d)
                i &+= 1
            }
            guard (100...599).contains(status) else {
                return .failure(HTTP1ParseError(.invalidStatus, "status code out of range"))
            }
            var reason = i..<i
            if p[i] == S.sp {
                i &+= 1
                let reasonStart = i
                while p[i] != S.cr {
                    guard S.isFieldValueChar(p[i]) else {
                        return .failure(HTTP1ParseError(.invalidStatus, "control character in the reason phrase"))
                    }
                    i &+= 1
                }
                reason = reasonStart..<i
            }
            guard p[i] == S.cr else {
                return .failure(HTTP1ParseError(.invalidStatus, "status code is not three digits"))
            }
            guard p[i &+ 1] == S.lf else {
                return .failure(HTTP1ParseError(.bareCarriageReturn, "CR without LF in the status line"))
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
            head.status = status
            head.reasonRange = reason
            if let error = HTTP1FieldParser.analyze(p, head: &head, isRequest: false) {
                return .failure(error)
            }
            return .success(head)
        }
    }
}
