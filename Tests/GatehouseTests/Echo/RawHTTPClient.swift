import NIOCore
import NIOPosix

/// A raw TCP client for what curl cannot do: pipelined requests and a half-close.
///
/// It writes bytes as given and collects everything the server sends until the server closes (or a
/// 10-second guard closes the connection, so a hang fails the test instead of stalling it).
enum RawHTTPClient {
    /// Collects received bytes; completes the promise when the connection ends.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        /// Everything received so far.
        private var received = ByteBuffer()
        /// Completed with `received` when the connection ends.
        private let done: EventLoopPromise<ByteBuffer>

        init(done: EventLoopPromise<ByteBuffer>) {
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = Self.unwrapInboundIn(data)
            self.received.writeBuffer(&chunk)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.done.succeed(self.received)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    /// Sends `request` to 127.0.0.1:`port` (then half-closes if `halfClose`) and returns all bytes the
    /// server sent before closing.
    static func exchange(port: Int, request: String, halfClose: Bool = false) async throws -> String {
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.any().makePromise(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: done.futureResult.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let guardTimer = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try await channel.writeAndFlush(ByteBuffer(string: request))
        if halfClose {
            try await channel.close(mode: .output)
        }
        let received = try await done.futureResult.get()
        guardTimer.cancel()
        return String(buffer: received)
    }
}
