import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the echo must send for one complete request: data for ``EchoHandler`` to execute, computed purely
/// from the ``EchoExchange``.
struct EchoResponse {
    /// The response body to send after the head.
    enum Body: Equatable {
        /// No body (HEAD, or a status that forbids one).
        case none
        /// These bytes.
        case bytes(ByteBuffer)
        /// `byteCount` bytes of ``EchoPattern``, streamed with backpressure.
        case pattern(byteCount: Int)
    }

    /// A 1xx interim response to send before `head`, if any.
    var interim: HTTPResponseHead?
    /// The final response head, framing headers included.
    var head: HTTPResponseHead
    /// The body to send.
    var body: Body
    /// How long to wait before sending anything.
    var delay: TimeAmount
    /// Whether the connection stays open after this response.
    var keepAlive: Bool

    /// The value of the `Server` header.
    static let serverHeader = "gatehouse-echo"

    /// The response to a complete request; `encoder` encodes the JSON report (sorted keys expected).
    init(answering exchange: EchoExchange, encoder: JSONEncoder) {
        let request = exchange.head
        let version = request.version
        let suppressBody = request.method == .HEAD
        let (path, _) = exchange.pathAndQuery

        if path == "/healthz" && (request.method == .GET || request.method == .HEAD) {
            self = Self.plain(.ok, "ok", exchange: exchange, keepAlive: request.isKeepAlive)
            return
        }

        let options: EchoOptions
        do {
            options = try EchoOptions(parsing: request.headers)
        } catch {
            self = Self.plain(.badRequest, error.description + "\n", exchange: exchange, keepAlive: request.isKeepAlive)
            return
        }

        let keepAlive = request.isKeepAlive && !options.close
        let canChunk = version.major == 1 && version.minor >= 1
        var status = HTTPResponseStatus.ok
        var interim: HTTPResponseHead?
        if let code = options.status {
            if (100..<200).contains(code) {
                if canChunk {
                    interim = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: code))
                }
            } else {
                status = HTTPResponseStatus(statusCode: code)
            }
        }

        var headers = Self.baseHeaders(exchange: exchange, keepAlive: keepAlive)
        var body: Body
        let length: Int
        if let count = options.responseBytes {
            headers.add(name: "Content-Type", value: "application/octet-stream")
            body = .pattern(byteCount: count)
            length = count
        } else {
            do {
                let json = try encoder.encode(exchange.report)
                headers.add(name: "Content-Type", value: "application/json")
                body = .bytes(ByteBuffer(bytes: json))
                length = json.count
            } catch {
                self = Self.plain(
                    .internalServerError,
                    "cannot encode report: \(error)\n",
                    exchange: exchange,
                    keepAlive: false
                )
                return
            }
        }

        if status.mayHaveResponseBody {
            if options.chunked && canChunk {
                headers.add(name: "Transfer-Encoding", value: "chunked")
            } else {
                headers.add(name: "Content-Length", value: String(length))
            }
        }
        if suppressBody || !status.mayHaveResponseBody {
            body = .none
        }

        for name in Set(options.responseHeaders.map { $0.name.lowercased() }) {
            headers.remove(name: name)
        }
        headers.add(contentsOf: options.responseHeaders)

        self.interim = interim
        self.head = HTTPResponseHead(version: version, status: status, headers: headers)
        self.body = body
        self.delay = .milliseconds(Int64(options.delayMilliseconds))
        self.keepAlive = keepAlive
    }

    /// Creates a response from its parts.
    init(interim: HTTPResponseHead? = nil, head: HTTPResponseHead, body: Body, delay: TimeAmount, keepAlive: Bool) {
        self.interim = interim
        self.head = head
        self.body = body
        self.delay = delay
        self.keepAlive = keepAlive
    }

    /// A `text/plain` response with no switches applied (health checks, rejected switches).
    private static func plain(
        _ status: HTTPResponseStatus,
        _ text: String,
        exchange: EchoExchange,
        keepAlive: Bool
    ) -> EchoResponse {
        var headers = Self.baseHeaders(exchange: exchange, keepAlive: keepAlive)
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        return EchoResponse(
            head: HTTPResponseHead(version: exchange.head.version, status: status, headers: headers),
            body: exchange.head.method == .HEAD ? .none : .bytes(ByteBuffer(string: text)),
            delay: .zero,
            keepAlive: keepAlive
        )
    }

    /// `Server`, `X-Echo-Name` and the `Connection` header the keep-alive decision needs.
    private static func baseHeaders(exchange: EchoExchange, keepAlive: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Server", value: Self.serverHeader)
        headers.add(name: "X-Echo-Name", value: exchange.serverName)
        let version = exchange.head.version
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if version.major == 1 && version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        return headers
    }
}
