import NIOCore
import NIOHTTP2

/// Sets up the server side of HTTP/2 on a connection (after ALPN `h2`, or h2c prior knowledge): the flush
/// coalescer, the HTTP/2 handler (frames, HPACK, stream states, the peer's windows), and ``HTTP2ServerConnection``,
/// which keeps the streams and their proxies as plain state.
enum HTTP2Server {
    /// Adds the HTTP/2 handlers at the end of `channel`'s pipeline (call on the channel's event loop).
    static func configure(_ channel: any Channel, loop: LoopContext, scheme: String) throws {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 256),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 64 * 1024),
            HTTP2Setting(parameter: .initialWindowSize, value: HTTP2ServerStream.initialWindow),
        ]
        // Request blocks are checked by the stream as it reads them (``HTTP2RequestFields``); response blocks are
        // built from HTTP/1.1 heads the response parser already checked.
        configuration.headerBlockValidation = .disabled
        // The stream checks a request's DATA against its content-length too (RFC 9113 §8.1.1); NIO's check would
        // also re-verify every response, whose body the proxy frames by the length it forwards.
        configuration.contentLengthValidation = .disabled
        // Every stream of the connection has the same client: its forwarding lines are built once, here.
        let forwarding = ForwardingContext(channel: channel, scheme: scheme, trustForwardedHeaders: loop.configuration.useForwardedHeaders)
        let sync = channel.pipeline.syncOperations
        // Under the HTTP/2 handler: the streams' flushes of one event-loop pass become one.
        try sync.addHandler(HTTP2FlushCoalescer())
        let connection = HTTP2ServerConnection(loop: loop, scheme: scheme, forwarding: forwarding)
        try sync.addHandler(NIOHTTP2Handler(mode: .server, frameDelegate: connection, connectionConfiguration: configuration))
        try sync.addHandler(connection)
    }
}
