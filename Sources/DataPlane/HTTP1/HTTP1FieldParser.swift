import NIOCore

/// Where a parser keeps the field array of a head it was given back, so that the next head's fields go into the
/// same memory instead of a new allocation per message.
struct HTTP1FieldStorage: Sendable {
    /// The array given back, if any.
    private var spare: [HTTP1HeaderField] = []

    /// Keeps `head`'s field array for the next head. Safe whatever still holds the head: the array is
    /// copy-on-write, so its memory is reused only if nothing else refers to it when the next head is parsed.
    mutating func recycle(_ head: HTTP1Head) {
        spare = head.headers
    }

    /// An empty field array for the next head: the recycled array's memory when nothing else holds it, new memory
    /// for 16 fields otherwise.
    mutating func take() -> [HTTP1HeaderField] {
        var fields = spare
        spare = []
        fields.removeAll(keepingCapacity: true)
        if fields.capacity < 16 { fields.reserveCapacity(16) }
        return fields
    }
}

/// Parses the field lines of a head or trailer section and derives the framing facts of a head from them.
enum HTTP1FieldParser {
    /// Parses field lines from `start` in `p`, which holds a complete section ending with an empty line (CRLF CRLF,
    /// so every scan below stops at a CR or LF before the end). Appends to `fields`; returns the first error.
    static func parseFieldLines(
        _ p: UnsafeRawBufferPointer,
        from start: Int,
        maxCount: Int,
        into fields: inout [HTTP1HeaderField]
    ) -> HTTP1ParseError? {
        typealias S = HTTP1Scanner
        var s = start
        while true {
            let first = p[s]
            if first == S.cr {
                // The empty line that ends the section (the scanner stopped at the first one).
                if p[s &+ 1] == S.lf { return nil }
                return HTTP1ParseError(.bareCarriageReturn, "CR without LF in a header line")
            }
            if S.isWhitespace(first) {
                return HTTP1ParseError(.obsoleteLineFolding, "header line starts with whitespace (obs-fold)")
            }
            var i = s
            while S.isTokenChar(p[i]) { i &+= 1 }
            let name = s..<i
            let stop = p[i]
            if stop != S.colon {
                if S.isWhitespace(stop) && !name.isEmpty {
                    var j = i
                    while S.isWhitespace(p[j]) { j &+= 1 }
                    if p[j] == S.colon {
                        return HTTP1ParseError(.whitespaceBeforeColon, "whitespace between header name and colon")
                    }
                }
                return HTTP1ParseError(.invalidHeaderName, "header name has a character that is not a token character")
            }
            if name.isEmpty {
                return HTTP1ParseError(.invalidHeaderName, "empty header name")
            }
            if fields.count >= maxCount {
                return HTTP1ParseError(.tooManyHeaders, "more than \(maxCount) header fields")
            }
            i &+= 1
            while S.isWhitespace(p[i]) { i &+= 1 }
            let valueStart = i
            var valueEnd = i
            // Jump from one non-visible byte to the next: SP/HTAB continue the value (but are not part of it
            // unless visible bytes follow), CR ends it (the section's final CRLF CRLF guarantees one), anything
            // else is refused.
            while true {
                let next = S.skipVisible(p, from: i)
                if next != i {
                    i = next
                    valueEnd = i
                }
                let b = p[i]
                if b == S.cr { break }
                if S.isWhitespace(b) {
                    i &+= 1
                } else if b > S.sp && b != 0x7F {
                    // A visible byte in the last few bytes of the section, where words are not used.
                    i &+= 1
                    valueEnd = i
                } else {
                    return HTTP1ParseError(.invalidHeaderValue, "control character in a header value")
                }
            }
            if p[i &+ 1] != S.lf {
                return HTTP1ParseError(.bareCarriageReturn, "CR without LF in a header line")
            }
            fields.append(
                HTTP1HeaderField(
                    name: name,
                    value: valueStart..<valueEnd,
                    kind: HTTP1HeaderKind.classify(p, name)
                )
            )
            s = i &+ 2
        }
    }

    /// Fills the derived members of `head` (framing, keep-alive, Connection tokens, Host, Expect, Upgrade) from its
    /// fields, whose ranges index `p`. Refuses ambiguous or unsupported framing.
    static func analyze(_ p: UnsafeRawBufferPointer, head: inout HTTP1Head, isRequest: Bool) -> HTTP1ParseError? {
        typealias S = HTTP1Scanner
        var hostCount = 0
        var contentLength: Int?
        var sawTransferEncoding = false
        var codings = 0
        var chunkedCount = 0
        var lastIsChunked = false
        var malformedCoding = false
        var tokens = HTTP1ConnectionTokens()

        for index in head.headers.indices {
            let field = head.headers[index]
            switch field.kind {
            case .host:
                hostCount &+= 1
                if isRequest && hostCount > 1 {
                    return HTTP1ParseError(.duplicateHost, "more than one Host header")
                }
                if head.hostIndex == nil { head.hostIndex = index }
            case .contentLength:
                // A list of identical values ("5, 5") is one value (RFC 9110 §8.6).
                var invalid = false
                var conflicting = false
                _ = S.forEachListElement(p, field.value) { element in
                    guard let n = S.parseDecimal(p, element) else {
                        invalid = true
                        return false
                    }
                    if let contentLength, contentLength != n {
                        conflicting = true
                        return false
                    }
                    contentLength = n
                    return true
                }
                if invalid {
                    return HTTP1ParseError(.invalidContentLength, "Content-Length is not a plain decimal number")
                }
                if conflicting {
                    return HTTP1ParseError(.conflictingContentLength, "Content-Length values differ")
                }
            case .transferEncoding:
                sawTransferEncoding = true
                _ = S.forEachListElement(p, field.value) { element in
                    guard S.isToken(p, element) else {
                        malformedCoding = true
                        return false
                    }
                    codings &+= 1
                    lastIsChunked = S.equalsLowercased(p, element, "chunked")
                    if lastIsChunked { chunkedCount &+= 1 }
                    return true
                }
            case .connection:
                var valid = true
                _ = S.forEachListElement(p, field.value) { element in
                    if element.isEmpty { return true }
                    guard S.isToken(p, element) else {
                        valid = false
                        return false
                    }
                    switch element.count {
                    case 5 where S.equalsLowercased(p, element, "close"): tokens.close = true
                    case 10 where S.equalsLowercased(p, element, "keep-alive"): tokens.keepAlive = true
                    case 7 where S.equalsLowercased(p, element, "upgrade"): tokens.upgrade = true
                    case 2 where S.equalsLowercased(p, element, "te"): tokens.te = true
                    default: tokens.others.append(element)
                    }
                    return true
                }
                if !valid {
                    return HTTP1ParseError(.invalidConnectionHeader, "Connection has an element that is not a token")
                }
            case .expect:
                if isRequest && S.equalsLowercased(p, field.value, "100-continue") {
                    head.expectsContinue = true
                }
            case .upgrade:
                if head.upgradeIndex == nil { head.upgradeIndex = index }
            default:
                break
            }
        }

        if isRequest && hostCount == 0 && head.version == .http1_1 {
            return HTTP1ParseError(.missingHost, "HTTP/1.1 request without Host")
        }
        if sawTransferEncoding {
            if head.version == .http1_0 {
                return HTTP1ParseError(.transferEncodingInHTTP10, "Transfer-Encoding in an HTTP/1.0 message")
            }
            if contentLength != nil {
                return HTTP1ParseError(.contentLengthWithTransferEncoding, "both Content-Length and Transfer-Encoding")
            }
            if malformedCoding || codings == 0 || !lastIsChunked || chunkedCount != 1 {
                return HTTP1ParseError(.invalidTransferEncoding, "Transfer-Encoding must be exactly \"chunked\"")
            }
            if codings != 1 {
                return HTTP1ParseError(.unsupportedTransferEncoding, "transfer codings other than chunked")
            }
            head.isChunked = true
        }
        head.contentLength = contentLength
        head.keepAlive = !tokens.close && (head.version == .http1_1 || tokens.keepAlive)
        head.connectionTokens = tokens
        return nil
    }
}
