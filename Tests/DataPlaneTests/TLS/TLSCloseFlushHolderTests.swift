import NIOCore
import NIOEmbedded
import NIOSSL
import Testing

@testable import DataPlane

/// A TLS connection that ends after its response: with ``TLSCloseFlushHolder`` under the TLS handler, the response's
/// records and the close_notify alert reach the socket under one flush, before the output shuts; the client reads
/// the whole response and then the close_notify.
@Suite struct TLSCloseFlushHolderTests {
    /// Records what reaches the socket, in order: "write", "flush", "close(output)", "event".
    final class Recorder: ChannelOutboundHandler {
        typealias OutboundIn = IOData
        var events: [String] = []
        var bytes = ByteBuffer()

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .byteBuffer(var buffer) = unwrapOutboundIn(data) { bytes.writeBuffer(&buffer) }
            events.append("write")
            context.write(data, promise: promise)
        }

        func flush(context: ChannelHandlerContext) {
            events.append("flush")
            context.flush()
        }

        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            events.append("close(\(mode == .output ? "output" : "all"))")
            context.close(mode: mode, promise: promise)
        }

        func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
            events.append("event")
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    /// Collects the client's plaintext and whether close_notify arrived.
    final class Reader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var text = ""
        var closeNotify = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            text += String(buffer: unwrapInboundIn(data))
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .inputClosed = event as? ChannelEvent { closeNotify = true }
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// A handshaken server (recorder, `holder` when given, TLS) and client (TLS, reader) pair.
    private static func connectedPair(holder: Bool) throws -> (server: EmbeddedChannel, client: EmbeddedChannel, Recorder, Reader) {
        let certificate = try DefaultCertificate.generate()
        let server = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.keyPEM.utf8), format: .pem))
        )
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateVerification = .none
        let recorder = Recorder()
        let reader = Reader()
        let serverChannel = EmbeddedChannel()
        try serverChannel.pipeline.syncOperations.addHandler(recorder)
        if holder { try serverChannel.pipeline.syncOperations.addHandler(TLSCloseFlushHolder()) }
        try serverChannel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: try NIOSSLContext(configuration: server)))
        let clientChannel = EmbeddedChannel()
        clientChannel.allowRemoteHalfClosure = true
        try clientChannel.pipeline.syncOperations.addHandler(
            try NIOSSLClientHandler(context: try NIOSSLContext(configuration: client), serverHostname: nil))
        try clientChannel.pipeline.syncOperations.addHandler(reader)
        try serverChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try clientChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // The handshake: bytes back and forth until neither side has more to say (bounded).
        for _ in 0..<10 {
            var moved = false
            while let bytes = try clientChannel.readOutbound(as: ByteBuffer.self) {
                try serverChannel.writeInbound(bytes)
                moved = true
            }
            while let bytes = try serverChannel.readOutbound(as: ByteBuffer.self) {
                try clientChannel.writeInbound(bytes)
                moved = true
            }
            if !moved { break }
        }
        recorder.events = []
        recorder.bytes.clear()
        return (serverChannel, clientChannel, recorder, reader)
    }

    /// What the proxy does for a response that ends the connection: hold (when the holder is there), write, flush,
    /// shut the output.
    private static func respondAndClose(holder: Bool) throws -> (events: [String], reader: Reader) {
        let (server, client, recorder, reader) = try connectedPair(holder: holder)
        if holder { server.pipeline.triggerUserOutboundEvent(TLSCloseFlushHolder.hold, promise: nil) }
        server.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), promise: nil)
        server.flush()
        server.close(mode: .output, promise: nil)
        try client.writeInbound(recorder.bytes)
        return (recorder.events, reader)
    }

    @Test func theResponseAndCloseNotifyLeaveUnderOneFlush() throws {
        let (events, reader) = try Self.respondAndClose(holder: true)
        // The response's record, then close_notify, then one flush, then the output shuts.
        #expect(events == ["write", "write", "flush", "close(output)"])
        #expect(reader.text.hasSuffix("\r\n\r\nok"))
        #expect(reader.closeNotify)
    }

    @Test func withoutTheHolderTheyAreTwoFlushes() throws {
        let (events, reader) = try Self.respondAndClose(holder: false)
        #expect(events == ["write", "flush", "write", "flush", "close(output)"])
        #expect(reader.text.hasSuffix("\r\n\r\nok"))
        #expect(reader.closeNotify)
    }

    @Test func flushesPassUntilHoldAndAfterTheClose() throws {
        let channel = EmbeddedChannel()
        let recorder = Recorder()
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.pipeline.syncOperations.addHandler(TLSCloseFlushHolder())
        channel.write(ByteBuffer(string: "a"), promise: nil)
        channel.flush()
        // Other outbound events pass; the hold is the holder's own.
        channel.pipeline.triggerUserOutboundEvent("other", promise: nil)
        #expect(recorder.events == ["write", "flush", "event"])
        channel.pipeline.triggerUserOutboundEvent(TLSCloseFlushHolder.hold, promise: nil)
        channel.write(ByteBuffer(string: "b"), promise: nil)
        channel.flush()
        channel.flush()
        #expect(recorder.events == ["write", "flush", "event", "write"])
        channel.close(mode: .output, promise: nil)
        #expect(recorder.events == ["write", "flush", "event", "write", "flush", "close(output)"])
    }
}
