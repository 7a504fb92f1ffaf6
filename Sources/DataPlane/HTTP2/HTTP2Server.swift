import NIOCore
import NIOHTTP2

/// Sets up the server side of HTTP/2 on a connection (after ALPN `h2`, or h2c prior knowledge): the HTTP/2
/// handler, then ``HTTP2ConnectionHandler`` (GOAWAY on drain, the idle timeout, closing when the client
/// half-closes), and per stream an ``HTTP2ServerBridge`` in front of a ``ProxyHandler``.
enum HTTP2Server {
    /// Adds the HTTP/2 handlers at the end of `channel`'s pipeline (call on the channel's event loop).
    static func configure(_ channel: any Channel, loop: LoopContext, scheme: String) throws {
        var connectionConfiguration = NIOHTTP2Handler.ConnectionConfiguration()
        connectionConfiguration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 256),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 64 * 1024),
            HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
        ]
        // Request blocks are checked by the stream's bridge as it reads them (``HTTP2RequestFields``); response
        // blocks are built from HTTP/1.1 heads the response parser already checked.
        connectionConfiguration.headerBlockValidation = .disabled
        // The bridge checks a request's DATA against its content-length too (RFC 9113 §8.1.1); NIO's check would
        // also re-verify every response, whose body the proxy frames by the length it forwards.
        connectionConfiguration.contentLengthValidation = .disabled
        let streamConfiguration = NIOHTTP2Handler.StreamConfiguration()
        let connection = HTTP2ConnectionHandler(loop: loop)
        // Every stream of the connection has the same client: its forwarding lines are built once, here.
        let forwarding = ForwardingContext(channel: channel, scheme: scheme, trustForwardedHeaders: loop.configuration.useForwardedHeaders)
        // Under the HTTP/2 handler: the streams' flushes of one event-loop pass become one.
        try channel.pipeline.syncOperations.addHandler(HTTP2FlushCoalescer())
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: connectionConfiguration,
            streamConfiguration: streamConfiguration,
            streamDelegate: connection
        ) { stream in
            stream.setUp {
                let bridge = HTTP2ServerBridge()
                try stream.pipeline.syncOperations.addHandler(bridge)
                try stream.pipeline.syncOperations.addHandler(ProxyHandler(loop: loop, scheme: scheme, stream: (forwarding, bridge)))
            }
        }
        // Connection-level frames and events reach it after the HTTP/2 handler; streams are counted as its delegate.
        try channel.pipeline.syncOperations.addHandler(connection)
    }
}
