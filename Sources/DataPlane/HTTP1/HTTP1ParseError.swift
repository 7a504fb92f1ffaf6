import NIOCore

/// Why a message was refused, with the status a server should answer before closing the connection.
///
/// For responses (from upstream servers) the status only classifies the failure; a proxy answers 502.
public struct HTTP1ParseError: Error, Sendable, Hashable {
    /// What was wrong, precisely enough for tests and metrics.
    public enum Kind: Sendable, Hashable {
        /// The request line or status line is malformed (missing parts, extra spaces, bad characters).
        case invalidStartLine
        /// The method is empty or has non-token characters.
        case invalidMethod
        /// The request target is empty or has a control character, space or tab.
        case invalidTarget
        /// The version is missing or not of the form `HTTP/d.d`.
        case invalidVersion
        /// A well-formed version other than HTTP/1.0 and HTTP/1.1 (⇒ 505).
        case unsupportedVersion
        /// The HTTP/2 prior-knowledge preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` opened the connection (⇒ 505).
        /// The preface bytes are left unconsumed in the buffer so the server can hand them to an HTTP/2 codec.
        case http2Preface
        /// The status code is not three digits in 100...599, or the reason phrase has control characters.
        case invalidStatus
        /// A header name is empty or has non-token characters.
        case invalidHeaderName
        /// Whitespace between a header name and its colon.
        case whitespaceBeforeColon
        /// A header line starts with SP or HTAB (obsolete line folding).
        case obsoleteLineFolding
        /// A header value has a control character (other than HTAB) or DEL.
        case invalidHeaderValue
        /// A LF not preceded by CR.
        case bareLineFeed
        /// A CR not followed by LF.
        case bareCarriageReturn
        /// More empty lines before the request line than `maxLeadingEmptyLines`.
        case tooManyLeadingEmptyLines
        /// An HTTP/1.1 request without a Host header.
        case missingHost
        /// A request with more than one Host header.
        case duplicateHost
        /// Content-Length is not a plain decimal number that fits in `Int`.
        case invalidContentLength
        /// Several Content-Length values that differ.
        case conflictingContentLength
        /// Both Content-Length and Transfer-Encoding are present.
        case contentLengthWithTransferEncoding
        /// Transfer-Encoding is anything but exactly one `chunked` coding.
        case invalidTransferEncoding
        /// Transfer-Encoding applies codings before `chunked` that are not implemented (e.g. `gzip, chunked`) (⇒ 501).
        case unsupportedTransferEncoding
        /// Transfer-Encoding in an HTTP/1.0 message.
        case transferEncodingInHTTP10
        /// A Connection header with a non-token element.
        case invalidConnectionHeader
        /// A chunk size that is empty, not hexadecimal, longer than 16 digits or larger than `Int.max`.
        case invalidChunkSize
        /// A malformed chunk extension.
        case invalidChunkExtension
        /// Chunk data not followed by CRLF.
        case invalidChunkTerminator
        /// A chunk-size line longer than `maxChunkHeaderBytes`.
        case chunkHeaderTooLong
        /// The head (or trailer section) is larger than `maxHeadBytes` (⇒ 431).
        case headTooLarge
        /// More header (or trailer) fields than `maxHeaderCount` (⇒ 431).
        case tooManyHeaders
        /// The request line (or status line) is longer than `maxRequestLineBytes` (⇒ 414).
        case startLineTooLong
        /// The input closed in the middle of a message.
        case incompleteMessage
    }

    /// What was wrong.
    public var kind: Kind
    /// The status to answer: 400, 414, 431, 501 or 505.
    public var status: Int
    /// A short human-readable explanation, for logs.
    public var message: String

    /// Creates an error whose status follows from `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
        switch kind {
        case .headTooLarge, .tooManyHeaders: self.status = 431
        case .startLineTooLong: self.status = 414
        case .unsupportedVersion, .http2Preface: self.status = 505
        case .unsupportedTransferEncoding: self.status = 501
        default: self.status = 400
        }
    }
}
