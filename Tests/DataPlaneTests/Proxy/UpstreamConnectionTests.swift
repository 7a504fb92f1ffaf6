import NIOCore
import NIOEmbedded
import Routing
import Testing

@testable import DataPlane

/// Writes to a backend connection reach the socket in the order given, all of them at the flush, and none before.
@Suite struct UpstreamConnectionTests {
    /// A connection on an embedded channel, with its handler in the pipeline.
    private static func connection() -> (UpstreamConnection, EmbeddedChannel) {
        let handler = UpstreamHandler(limits: HTTP1Limits(maxHeadBytes: 4096, maxHeaderCount: 16, maxRequestLineBytes: 1024))
        let channel = EmbeddedChannel(handler: handler)
        let endpoint = UpstreamEndpoint(Endpoint(host: "127.0.0.1", port: 8080))
        let key = PoolKey(endpoint: endpoint, backendProtocol: .http)
        return (UpstreamConnection(channel: channel, key: key, handler: handler, isStream: false), channel)
    }

    /// Everything the channel has put on the wire so far, as one string.
    private static func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    @Test func writesGoOutInOrderAtTheFlushAndNotBefore() throws {
        let (connection, channel) = Self.connection()
        connection.write(ByteBuffer(string: "POST / HTTP/1.1\r\n\r\n"))
        connection.write(ByteBuffer(string: "5\r\n"))
        connection.write(ByteBuffer(string: "hello"))
        #expect(try Self.written(channel) == "")
        connection.flush()
        #expect(try Self.written(channel) == "POST / HTTP/1.1\r\n\r\n5\r\nhello")
        connection.write(ByteBuffer(string: "\r\n0\r\n\r\n"))
        #expect(try Self.written(channel) == "")
        connection.flush()
        connection.flush()
        #expect(try Self.written(channel) == "\r\n0\r\n\r\n")
        _ = try channel.finish()
    }
}
