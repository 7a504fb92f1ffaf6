import NIOCore
import Routing

/// One request on a client connection, from its head to the end of its response.
final class ProxyExchange {
    /// The client's request head.
    let head: HTTP1Head
    /// The route it matched.
    let route: Route
    /// The cluster it goes to.
    let cluster: ClusterRuntime
    /// The snapshot it started with (kept alive until the exchange ends).
    let snapshot: DataPlaneSnapshot
    /// The head sent upstream (kept to resend on a retry).
    let upstreamHead: ByteBuffer
    /// How the body is framed upstream.
    let upstreamFraming: RequestHeadWriter.BodyFraming
    /// Whether the method is HEAD (the response has no body).
    let isHEAD: Bool
    /// Whether the method is idempotent (a failed exchange may be sent again after its request went out).
    var idempotent: Bool {
        isHEAD || head.isMethod("GET") || head.isMethod("OPTIONS") || head.isMethod("PUT") || head.isMethod("DELETE")
            || head.isMethod("TRACE")
    }
    /// The largest body accepted, nil for unlimited.
    let maxBodyBytes: Int?

    /// The upstream connection in use, nil while connecting or after it is released.
    var upstream: UpstreamConnection?
    /// Endpoints tried so far.
    var tried = TriedEndpoints()
    /// Whether the client's whole request has been read (and forwarded, when an upstream is attached).
    var requestComplete = false
    /// Request body bytes received from the client.
    var bodyBytesReceived = 0
    /// Request body bytes written upstream on the current connection.
    var bodyBytesSent = 0
    /// Whether a response head was written to the client.
    var responseStarted = false
    /// How the response body is framed towards the client.
    var responseFraming = ResponseHeadWriter.BodyFraming.asIs
    /// Whether the client connection closes after this exchange.
    var closeAfter = false
    /// Whether `100 Continue` was sent to the client.
    var sentContinue = false
    /// The status sent to the client, for metrics.
    var status = 0
    /// The last failure, reported when no endpoint is left.
    var lastError: ProxyError?
    /// Whether the head went out on the current upstream connection.
    var headSent = false
    /// Whether the request asks to switch protocols (WebSocket): the upgrade headers are forwarded.
    var isUpgrade = false
    /// Whether the upstream chunked body's last chunk (with trailers) was written.
    var upstreamFramingClosed = false
    /// Whether the client response's last chunk (with trailers) was written.
    var responseFramingClosed = false

    init(
        head: HTTP1Head,
        route: Route,
        cluster: ClusterRuntime,
        snapshot: DataPlaneSnapshot,
        upstreamHead: ByteBuffer,
        upstreamFraming: RequestHeadWriter.BodyFraming,
        maxBodyBytes: Int?
    ) {
        self.head = head
        self.route = route
        self.cluster = cluster
        self.snapshot = snapshot
        self.upstreamHead = upstreamHead
        self.upstreamFraming = upstreamFraming
        self.isHEAD = head.isMethod("HEAD")
        self.maxBodyBytes = maxBodyBytes
    }

    /// Whether the request has a body to forward.
    var hasBody: Bool { upstreamFraming != .none }

    /// Whether a failed attempt may go to another endpoint. Nothing may have reached the client and no body byte
    /// may have gone upstream (bodies are not kept for replay); once the head went out, only idempotent methods are
    /// sent again, or any method when a reused keep-alive connection died before answering (the backend had closed it).
    func canRetry(headSent: Bool, staleConnection: Bool) -> Bool {
        if responseStarted || bodyBytesSent > 0 { return false }
        if !headSent { return true }
        return idempotent || staleConnection
    }
}
