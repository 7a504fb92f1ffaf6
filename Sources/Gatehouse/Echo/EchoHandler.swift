import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The echo's per-connection handler, placed after `configureHTTPServerPipeline` (which serialises
/// pipelined requests, so at most one exchange is in flight).
///
/// It counts and checksums each request body as it streams in, answers once the request has ended (after
/// the requested delay, scheduled on the event loop), and streams synthetic bodies only while the channel
/// is writable.
final class EchoHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Where the connection is in its current exchange.
    private enum State {
        /// Waiting for a request head.
        case idle
        /// Receiving a request body.
        case receiving(EchoExchange)
        /// Waiting out `X-Echo-Delay-Ms` before answering.
        case delaying(Scheduled<Void>)
        /// Streaming a pattern body.
        case streaming(PatternStream)
        /// The connection is closed or closing: ignore everything.
        case closed
    }

    /// Progress of a pattern body being streamed.
    private struct PatternStream {
        /// Bytes still to write.
        var remaining: Int
        /// Offset of the next byte within the pattern's period.
        var phase: Int
        /// Whether the connection stays open after the body.
        var keepAlive: Bool
    }

    /// The echo server's name, reported in every response.
    private let serverName: String
    /// Encodes the JSON reports (sorted keys, slashes unescaped).
    private let encoder: JSONEncoder
    /// The current exchange's state.
    private var state = State.idle
    /// Set while `pump` runs, so writability changes fired by its own flushes do not re-enter it.
    private var pumping = false
    /// Set once the client has half-closed: the connection closes after the response in flight.
    private var inputClosed = false

    /// Creates a handler answering as `serverName`.
    init(serverName: String) {
        self.serverName = serverName
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.encoder = encoder
    }

    /// Consumes request parts: starts an exchange on the head, counts the body, answers on the end.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = self.state else { return }
            let exchange = EchoExchange(
                head: head,
                serverName: self.serverName,
                remoteAddress: context.channel.remoteAddress?.ipAddress,
                localPort: context.channel.localAddress?.port
            )
            self.state = .receiving(exchange)
            if exchange.expectsContinue {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(Self.wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(let body):
            guard case .receiving(var exchange) = self.state else { return }
            exchange.receive(body)
            self.state = .receiving(exchange)
        case .end:
            guard case .receiving(let exchange) = self.state else { return }
            let response = EchoResponse(answering: exchange, encoder: self.encoder)
            if response.delay > .zero {
                let scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: response.delay) {
                    guard case .delaying = self.state else { return }
                    self.send(response, context: context)
                }
                self.state = .delaying(scheduled)
            } else {
                self.send(response, context: context)
            }
        }
    }

    /// Resumes a pattern body once the channel can take more.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .streaming = self.state {
            self.pump(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    /// On a client half-close, closes at once when idle, otherwise after the response in flight.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.inputClosed = true
            if case .idle = self.state {
                self.state = .closed
                context.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Drops the exchange (cancelling a pending delay) when the connection goes away.
    func channelInactive(context: ChannelHandlerContext) {
        self.shutDown()
        context.fireChannelInactive()
    }

    /// Drops the exchange (cancelling a pending delay) if the handler is removed early.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.shutDown()
    }

    /// Closes the connection on any error (protocol errors have already been answered with 400 upstream).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.shutDown()
        context.close(promise: nil)
    }

    /// Moves to `.closed`, cancelling a pending delayed answer.
    private func shutDown() {
        if case .delaying(let scheduled) = self.state {
            scheduled.cancel()
        }
        self.state = .closed
    }

    /// Writes `response`: the interim head, the head, then the body or the start of the pattern stream.
    private func send(_ response: EchoResponse, context: ChannelHandlerContext) {
        if let interim = response.interim {
            context.write(Self.wrapOutboundOut(.head(interim)), promise: nil)
        }
        context.write(Self.wrapOutboundOut(.head(response.head)), promise: nil)
        switch response.body {
        case .none:
            self.finish(keepAlive: response.keepAlive, context: context)
        case .bytes(let buffer):
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            self.finish(keepAlive: response.keepAlive, context: context)
        case .pattern(let count):
            self.state = .streaming(PatternStream(remaining: count, phase: 0, keepAlive: response.keepAlive))
            self.pump(context: context)
        }
    }

    /// Writes pattern chunks while the channel is writable; finishes the response once all are written.
    private func pump(context: ChannelHandlerContext) {
        guard !self.pumping else { return }
        self.pumping = true
        var done = false
        while case .streaming(var stream) = self.state {
            if stream.remaining == 0 {
                done = true
                break
            }
            if !context.channel.isWritable {
                context.flush()
                if context.channel.isWritable { continue }
                break
            }
            let length = min(stream.remaining, EchoPattern.chunkSize)
            let chunk = EchoPattern.chunk(phase: stream.phase, length: length)
            stream.remaining -= length
            stream.phase = (stream.phase + length) % EchoPattern.period
            self.state = .streaming(stream)
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
        }
        self.pumping = false
        if done, case .streaming(let stream) = self.state {
            self.finish(keepAlive: stream.keepAlive, context: context)
        }
    }

    /// Ends the response and flushes; closes the connection afterwards unless it is kept alive (and the
    /// client has not half-closed).
    ///
    /// The state is settled before writing `.end`, because the pipelining handler may deliver the next
    /// request from inside that write.
    private func finish(keepAlive requested: Bool, context: ChannelHandlerContext) {
        let keepAlive = requested && !self.inputClosed
        self.state = keepAlive ? .idle : .closed
        let written = context.writeAndFlush(Self.wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
