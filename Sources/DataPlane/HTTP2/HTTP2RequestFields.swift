import NIOHPACK

/// The checks RFC 9113 §8.2–§8.3 asks of a request's header block and trailers, done by the server stream in the
/// same pass that reads the pseudo-header fields (the HTTP/2 handler's own validation is off on the server side:
/// it also re-checked every response block the proxy built from an already parsed HTTP/1.1 head). What is refused
/// here never reaches the HTTP/1.1 bytes the stream writes: no field can add a line (CR, LF, NUL), split a name, or
/// smuggle framing (connection-specific fields, `te` other than `trailers`).
struct HTTP2RequestFields {
    /// `:method`.
    var method = ""
    /// `:path`.
    var path = ""
    /// `:authority`, when sent.
    var authority: String?
    /// Whether a `host` field was sent (it then wins over `:authority`, as for HTTP/1.1 clients).
    var hasHost = false
    /// The `content-length` sent, if any (the stream checks the DATA received against it).
    var contentLength: Int?

    /// Reads and checks a request header block; nil when it is malformed (the stream is then reset with
    /// PROTOCOL_ERROR): pseudo-header fields other than `:method`, `:scheme`, `:authority`, `:path`, repeated, after
    /// a regular field, or missing (`:method`, `:scheme` and a non-empty `:path` are required); a name that is not a
    /// lowercase token; a value with a control character or surrounding whitespace; a pseudo-header value that is
    /// not a token (`:method`) or holds spaces or controls; a connection-specific field; a `content-length` that is
    /// not a number, or repeated with another number.
    static func parse(_ headers: HPACKHeaders) -> HTTP2RequestFields? {
        var fields = HTTP2RequestFields()
        var seen: UInt8 = 0
        var regular = false
        for (name, value, _) in headers {
            let utf8 = name.utf8
            guard let first = utf8.first else { return nil }
            if first == UInt8(ascii: ":") {
                guard !regular else { return nil }
                let bit: UInt8
                switch name {
                case ":method":
                    guard !value.isEmpty, allBytes(of: value, HTTP1Scanner.isTokenChar) else { return nil }
                    fields.method = value
                    bit = 1
                case ":scheme":
                    guard !value.isEmpty, allBytes(of: value, HTTP1Scanner.isTargetChar) else { return nil }
                    bit = 2
                case ":path":
                    guard !value.isEmpty, allBytes(of: value, HTTP1Scanner.isTargetChar) else { return nil }
                    fields.path = value
                    bit = 4
                case ":authority":
                    guard allBytes(of: value, HTTP1Scanner.isTargetChar) else { return nil }
                    fields.authority = value
                    bit = 8
                default:
                    return nil
                }
                guard seen & bit == 0 else { return nil }
                seen |= bit
                continue
            }
            regular = true
            guard isRegularField(name, value) else { return nil }
            switch name {
            case "host": fields.hasHost = true
            case "content-length":
                // Digits only; a repeated field must repeat the same length.
                guard let length = contentLength(value), fields.contentLength == nil || fields.contentLength == length else {
                    return nil
                }
                fields.contentLength = length
            case "te": guard value == "trailers" else { return nil }
            default: break
            }
        }
        return seen & 7 == 7 ? fields : nil
    }

    /// A `content-length` value: ASCII digits only (``HTTP1Scanner/parseDecimal(_:_:)``, as for HTTP/1.1).
    static func contentLength(_ value: String) -> Int? {
        var value = value
        return value.withUTF8 { HTTP1Scanner.parseDecimal(UnsafeRawBufferPointer($0), 0..<$0.count) }
    }

    /// Whether request trailers are well formed: regular fields only, each as in a header block.
    static func trailersAreValid(_ headers: HPACKHeaders) -> Bool {
        for (name, value, _) in headers {
            guard isRegularField(name, value) else { return false }
        }
        return true
    }

    /// A regular field: a lowercase token name that is not connection-specific, and a value of field-value
    /// characters (no NUL, CR, LF or other controls) that neither starts nor ends with whitespace.
    private static func isRegularField(_ name: String, _ value: String) -> Bool {
        guard !name.isEmpty, allBytes(of: name, { HTTP1Scanner.isTokenChar($0) && $0 &- UInt8(ascii: "A") >= 26 }) else {
            return false
        }
        // `te` is connection-specific too, but allowed in requests as `te: trailers` (checked by the caller).
        if name != "te" && HTTP2MessageFramer.isConnectionSpecific(name) { return false }
        let bytes = value.utf8
        if let first = bytes.first, let last = bytes.last, HTTP1Scanner.isWhitespace(first) || HTTP1Scanner.isWhitespace(last) {
            return false
        }
        return allBytes(of: value, HTTP1Scanner.isFieldValueChar)
    }

    /// Whether every UTF-8 byte of `string` passes `test`: a loop over its contiguous storage (decoded field
    /// strings are native), else over its UTF-8 view.
    @inline(__always)
    private static func allBytes(of string: String, _ test: (UInt8) -> Bool) -> Bool {
        if let result = string.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(test) }) { return result }
        return string.utf8.allSatisfy(test)
    }
}
