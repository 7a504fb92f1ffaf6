import NIOCore

/// Receives one upstream connection's response events (implemented by the downstream proxy handler).
/// Every call happens on the event loop both connections share.
protocol UpstreamDelegate: AnyObject {
    /// A response head (interim 1xx heads too; see `HTTP1Head.isInterim`).
    func upstreamHead(_ head: HTTP1Head)
    /// A piece of response body (framing removed).
    func upstreamBody(_ body: ByteBuffer)
    /// The trailer section of a chunked response.
    func upstreamTrailers(_ trailers: HTTP1Trailers)
    /// The response is complete; `reusable` says whether the connection may serve another request.
    func upstreamEnd(reusable: Bool)
    /// The connection failed or closed before the response completed; `receivedResponse` says whether any
    /// response byte had arrived.
    func upstreamFailed(_ error: ProxyError, receivedResponse: Bool)
    /// A batch of reads finished: a good moment to flush towards the client.
    func upstreamReadComplete()
    /// The upstream connection became writable again.
    func upstreamWritable()
    /// Bytes from the backend after `101 Switching Protocols` (see ``UpstreamHandler/startTunnel()``).
    func upstreamTunnelData(_ bytes: ByteBuffer)
    /// The backend closed a tunnel.
    func upstreamTunnelClosed()
}
