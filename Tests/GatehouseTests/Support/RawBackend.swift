import NIOCore
import NIOPosix
import Synchronization

/// A backend that records every byte it receives, per connection, and optionally answers each request head
/// with fixed bytes. It lets tests check exactly what the proxy sent upstream (nothing at all, for a refused
/// request) and send responses the echo backend cannot produce (hop-by-hop fields named by `Connection`).
final class RawBackend: Sendable {
    /// What the backend has seen.
    struct Record: Sendable {
        /// The bytes received on each connection, in accept order.
        var connections: [[UInt8]] = []
        /// Connections currently open.
        var open = 0
        /// Every accepted connection (closed at ``RawBackend/stop()``).
        var channels: [any Channel] = []
    }

    /// The port it listens on (127.0.0.1).
    let port: Int
    private let listener: any Channel
    private let shared: SharedRecord

    private init(port: Int, listener: any Channel, shared: SharedRecord) {
        self.port = port
        self.listener = listener
        self.shared = shared
    }

    /// The record, read under its lock.
    private func read<T: Sendable>(_ body: (Record) -> T) -> T { shared.record.withLock { body($0) } }

    /// Everything received, per connection.
    var connections: [[UInt8]] { read { $0.connections } }

    /// Connections accepted so far.
    var accepted: Int { read { $0.connections.count } }

    /// Connections still open.
    var openConnections: Int { read { $0.open } }

    /// All bytes received on every connection, as text.
    var receivedText: String { String(decoding: connections.joined(), as: UTF8.self) }

    /// Starts listening on an ephemeral port; with `response`, answers every request head (`CRLF CRLF`) with it.
    static func start(response: String? = nil) async throws -> RawBackend {
        let shared = SharedRecord()
        let reply = response.map { Array($0.utf8) }
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let index = shared.record.withLock { record in
                        record.connections.append([])
                        record.open += 1
                        record.channels.append(channel)
                        return record.connections.count - 1
                    }
                    try channel.pipeline.syncOperations.addHandler(Recorder(index: index, shared: shared, reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return RawBackend(port: port, listener: listener, shared: shared)
    }

    /// Starts a backend (see ``start(response:)``), runs `body` with it, and stops it, also when `body` throws.
    static func with<T>(response: String? = nil, _ body: (RawBackend) async throws -> T) async throws -> T {
        let backend = try await start(response: response)
        do {
            let result = try await body(backend)
            try await backend.stop()
            return result
        } catch {
            try? await backend.stop()
            throw error
        }
    }

    /// Closes the listener and every connection.
    func stop() async throws {
        try? await listener.close()
        await closeConnections()
    }

    /// Closes every connection accepted so far, as a backend does with idle keep-alive connections; it keeps
    /// listening.
    func closeConnections() async {
        for channel in read({ $0.channels }) { try? await channel.close() }
    }

    /// The record, shared by the handle and the connection handlers.
    private final class SharedRecord: Sendable {
        let record = Mutex(Record())
    }

    /// Records one connection's bytes and answers each complete head.
    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let index: Int
        private let shared: SharedRecord
        private let reply: [UInt8]?
        private var received: [UInt8] = []
        private var answered = 0

        init(index: Int, shared: SharedRecord, reply: [UInt8]?) {
            self.index = index
            self.shared = shared
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(Self.unwrapInboundIn(data).readableBytesView)
            received += bytes
            shared.record.withLock { $0.connections[index] += bytes }
            guard let reply else { return }
            let heads = received.headCount
            while answered < heads {
                answered += 1
                context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            shared.record.withLock { $0.open -= 1 }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

extension Array where Element == UInt8 {
    /// How many times `CRLF CRLF` occurs (a rough count of request heads, enough for body-less requests).
    var headCount: Int {
        guard count >= 4 else { return 0 }
        var found = 0
        for index in 0...(count - 4)
        where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            found += 1
        }
        return found
    }
}
