import NIOCore

/// Responses Gatehouse writes itself (404 no route, 502/503/504 upstream trouble, 400/408/413/431 bad requests):
/// a status line, `Date`, `Server`, a short plain-text body.
enum ErrorResponse {
    /// Writes a complete response for `status` into `out`; no body for HEAD requests.
    static func write(status: Int, headRequest: Bool, close: Bool, date: ByteBuffer, extraHeaders: String = "", into out: inout ByteBuffer)
    {
        let reason = reasonPhrase(status)
        let body = "\(status) \(reason)\n"
        out.writeStaticString("HTTP/1.1 ")
        out.writeString("\(status) \(reason)")
        out.writeStaticString("\r\nDate: ")
        out.writeImmutableBuffer(date)
        out.writeStaticString("\r\nServer: gatehouse\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ")
        out.writeString(String(body.utf8.count))
        out.writeStaticString("\r\n")
        out.writeString(extraHeaders)
        if close { out.writeStaticString("Connection: close\r\n") }
        out.writeStaticString("\r\n")
        if !headRequest { out.writeString(body) }
    }

    /// The reason phrase for common statuses.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 417: "Expectation Failed"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
