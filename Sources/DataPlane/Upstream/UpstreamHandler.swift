import NIOCore

/// The handler of one upstream (backend) connection: parses responses and hands events to its current delegate;
/// holds back reads while the client side cannot keep up.
final class UpstreamHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The exchange using this connection, nil while idle in the pool. A strong reference (a weak one costs
    /// atomic side-table traffic on every event): the pool clears it on release and discard, and it is cleared
    /// when the connection closes, so no cycle outlives an exchange.
    var delegate: (any UpstreamDelegate)?
    /// Whether the connection has closed (set when the channel goes inactive): read by the pool for every take
    /// and release instead of asking the channel, which costs reference counting inside NIO.
    private(set) var closed = false
    private var parser: HTTP1ResponseParser
    private var buffer = ByteBuffer()
    private var receivedResponse = false
    private var readsPaused = false
    private var readPending = false
    private var failed = false
    /// Whether the head being delivered is an interim (1xx) head, whose `.end` does not end the exchange.
    private var interim = false
    /// Whether the current response lets the connection be reused.
    private var responseKeepAlive = false
    /// After `101 Switching Protocols`: bytes are passed through untouched.
    private var tunnel = false

    /// Switches to passing bytes through (after the delegate accepted a `101`); buffered bytes follow at once.
    func startTunnel() {
        tunnel = true
        if buffer.readableBytes > 0, let delegate {
            let rest = buffer
            buffer = ByteBuffer()
            delegate.upstreamTunnelData(rest)
        }
    }
    private(set) var context: ChannelHandlerContext?

    init(limits: HTTP1Limits) {
        parser = HTTP1ResponseParser(limits: limits)
    }

    /// Prepares for the response to the next request.
    func expectResponse(toHEAD: Bool) {
        parser.expectResponse(toHEAD: toHEAD)
        receivedResponse = false
    }

    /// Stops reading from the backend until ``resumeReading()``.
    func pauseReading() { readsPaused = true }

    /// Reads again (and issues a read held back while paused).
    func resumeReading() {
        guard readsPaused else { return }
        readsPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        delegate = nil
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard !failed else { return }
        guard let delegate else {
            // Data on an idle connection is a protocol error: drop the connection.
            failed = true
            context.close(promise: nil)
            return
        }
        receivedResponse = true
        if tunnel {
            delegate.upstreamTunnelData(bytes)
            return
        }
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var incoming = bytes
            buffer.writeBuffer(&incoming)
        }
        drain(delegate)
    }

    /// Hands every complete event in the buffer to the delegate.
    private func drain(_ delegate: any UpstreamDelegate) {
        while !failed {
            switch parser.next(&buffer) {
            case .head(let head):
                interim = head.isInterim
                responseKeepAlive = head.keepAlive
                delegate.upstreamHead(head)
                parser.recycle(head)
            case .body(let body):
                delegate.upstreamBody(body)
            case .trailers(let trailers):
                delegate.upstreamTrailers(trailers)
            case .end:
                if tunnel { return }
                if interim {
                    interim = false
                    continue
                }
                let reusable = responseKeepAlive && buffer.readableBytes == 0
                delegate.upstreamEnd(reusable: reusable)
                return
            case .needMoreData:
                return
            case .error(let error):
                failed = true
                delegate.upstreamFailed(.upstreamFailed("invalid response from upstream: \(error.message)"), receivedResponse: true)
                return
            }
            if self.delegate == nil { return }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if buffer.readableBytes == 0 { buffer = ByteBuffer() }
        delegate?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { delegate?.upstreamWritable() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        guard let delegate else { return }
        self.delegate = nil
        guard !failed else { return }
        if tunnel {
            delegate.upstreamTunnelClosed()
            return
        }
        switch parser.inputClosed() {
        case .end:
            delegate.upstreamEnd(reusable: false)
        default:
            failed = true
            delegate.upstreamFailed(.upstreamFailed("upstream closed the connection"), receivedResponse: receivedResponse)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
