import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// What a raw TCP exchange produced: every byte the server sent, and whether the server closed the connection
/// (rather than the client giving up at its deadline).
struct RawReply: Sendable {
    /// Everything received, in order.
    var bytes: [UInt8]
    /// True when the server ended the connection (EOF or reset); false when the client's deadline closed it.
    var closedByServer: Bool

    /// The received bytes as text (lossy UTF-8).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The status code of the first response, if any.
    var status: Int? { responses.first?.status }

    /// The status codes of the responses, interim ones included, in order.
    var statuses: [Int] { responses.map(\.status) }

    /// The value of the first header `name` (case-insensitive) of the first response.
    func header(_ name: String) -> String? { responses.first?.header(name) }

    /// The responses in the reply, split by their framing (no body for 1xx, 204 and 304; `Content-Length`;
    /// chunked; otherwise up to the end). Parsing stops at the first incomplete or unparsable message.
    var responses: [RawResponse] {
        var result: [RawResponse] = []
        var index = 0
        while index < bytes.count {
            guard let headEnd = bytes.firstRange(of: [13, 10, 13, 10], from: index) else { break }
            let lines = String(decoding: bytes[index..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ", maxSplits: 2)
            guard lines[0].hasPrefix("HTTP/1."), statusParts.count >= 2, let status = Int(statusParts[1]) else { break }
            var response = RawResponse(status: status, fields: [], body: [])
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                response.fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var next = headEnd + 4
            if (100..<200).contains(status) || status == 204 || status == 304 {
                // no body
            } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
                while true {
                    guard let lineEnd = bytes.firstRange(of: [13, 10], from: next),
                        let size = Int(String(decoding: bytes[next..<lineEnd], as: UTF8.self), radix: 16)
                    else { return result + [response] }
                    next = lineEnd + 2
                    if size == 0 {
                        guard let end = bytes.firstRange(of: [13, 10, 13, 10], from: next - 2) else { return result + [response] }
                        next = end + 4
                        break
                    }
                    guard next + size + 2 <= bytes.count else { return result + [response] }
                    response.body += bytes[next..<(next + size)]
                    next += size + 2
                }
            } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
                response.body = Array(bytes[next..<min(bytes.count, next + length)])
                next = min(bytes.count, next + length)
            } else {
                response.body = Array(bytes[next...])
                next = bytes.count
            }
            result.append(response)
            index = next
        }
        return result
    }
}

/// One response within a ``RawReply``.
struct RawResponse: Sendable {
    /// The status code.
    var status: Int
    /// The header fields in order, as (name, value).
    var fields: [(name: String, value: String)]
    /// The body, framing removed.
    var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension Array where Element == UInt8 {
    /// The index of the first occurrence of `pattern` at or after `start`.
    func firstRange(of pattern: [UInt8], from start: Int) -> Int? {
        guard start >= 0, count >= pattern.count, start <= count - pattern.count else { return nil }
        for index in start...(count - pattern.count) where self[index] == pattern[0] {
            if self[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
        }
        return nil
    }
}

/// A raw TCP client for what curl will not send: exact bytes (smuggling attempts, malformed heads), pipelining.
///
/// It writes the bytes as given and collects everything until the server closes the connection, or until the
/// deadline passes, in which case the client closes and the reply says so (`closedByServer == false`), so a proxy
/// that keeps a connection open it should have closed fails the test instead of hanging it.
enum RawClient {
    /// Set when the client's own deadline closed the connection.
    private final class DeadlineFlag: Sendable {
        let fired = Atomic<Bool>(false)
    }

    /// Collects the bytes of one connection and completes when it ends.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private var received: [UInt8] = []
        private var finished = false
        private let done: EventLoopPromise<RawReply>
        private let deadline: DeadlineFlag

        init(done: EventLoopPromise<RawReply>, deadline: DeadlineFlag) {
            self.done = done
            self.deadline = deadline
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let chunk = Self.unwrapInboundIn(data)
            received += chunk.readableBytesView
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish()
            context.fireChannelInactive()
        }

        /// With remote half-closure allowed, the server's FIN ends the reply while the connection stays open.
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .inputClosed = event as? ChannelEvent { finish() }
            context.fireUserInboundEventTriggered(event)
        }

        private func finish() {
            guard !finished else { return }
            finished = true
            done.succeed(RawReply(bytes: received, closedByServer: !deadline.fired.load(ordering: .relaxed)))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset after the server closed still counts as the server closing.
            context.close(promise: nil)
        }
    }

    /// Connects to 127.0.0.1:`port`, writes each piece of `pieces` in turn (then shuts its output down when
    /// `halfClose`), and returns what came back once the connection ends (or `deadline` passes). With
    /// `whileServerHalfClosed`, the reply ends with the server's FIN and the client keeps its side open while that
    /// runs.
    static func exchange(
        port: Int,
        pieces: [[UInt8]],
        halfClose: Bool = false,
        deadline: Duration = .seconds(5),
        whileServerHalfClosed: (() async throws -> Void)? = nil
    ) async throws -> RawReply {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let done = loop.makePromise(of: RawReply.self)
        let flag = DeadlineFlag()
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.allowRemoteHalfClosure, value: whileServerHalfClosed != nil)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(done: done, deadline: flag))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let guardTimer = loop.scheduleTask(in: .milliseconds(deadline.milliseconds)) {
            flag.fired.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        for piece in pieces {
            do {
                try await channel.writeAndFlush(ByteBuffer(bytes: piece))
            } catch {
                break  // the server closed while we were still sending; its answer (if any) was collected
            }
        }
        if halfClose { try? await channel.close(mode: .output) }
        let reply = try await done.futureResult.get()
        guardTimer.cancel()
        if let whileServerHalfClosed {
            defer { channel.close(promise: nil) }
            try await whileServerHalfClosed()
        }
        return reply
    }

    /// Sends `request` (as UTF-8) in one piece.
    static func exchange(port: Int, _ request: String, deadline: Duration = .seconds(5)) async throws -> RawReply {
        try await exchange(port: port, pieces: [Array(request.utf8)], deadline: deadline)
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
