import NIOCore
import NIOHTTP2

/// The handler after the HTTP/2 handler on a client's connection: it keeps the connection's streams as plain state
/// (an ``HTTP2ServerStream`` with its ``ProxyHandler`` each, no channel per stream), routes the frames the HTTP/2
/// handler passes on to them, and writes theirs. The HTTP/2 handler keeps the protocol: frames and HPACK, stream
/// states and limits, SETTINGS, PING, the peer's flow-control windows.
///
/// - Windows: a stream hands its window back as its request bytes reach the proxy; the connection's window is
///   handed back as DATA arrives (``connectionWindowTarget``), so only the streams' windows hold data back.
/// - Drain (`ChannelShouldQuiesceEvent`): GOAWAY naming the last stream the connection took, so the client retries
///   later ones elsewhere; the streams in flight finish, then the connection closes (after ``graceTime`` at most).
/// - Idle: with no stream open for ``idleTime``, GOAWAY and close.
/// - Connection errors: the HTTP/2 handler answers a client's protocol violation with GOAWAY and an error code; the
///   connection then closes (RFC 9113 §5.4.1), as this handler sees GOAWAY written as the HTTP/2 handler's frame
///   delegate.
/// - Half-close: the client sent FIN. Client connections allow half-closure (an HTTP/1.1 client may send its request,
///   shut its output and read the answer), but an HTTP/2 peer that can send nothing more can no longer hand back
///   flow-control windows or acknowledge settings: its streams could only stall, holding their backend connections
///   until a timeout, and the socket would stay in CLOSE_WAIT. The connection closes at once, as nginx's and Go's do.
///
/// Deadlines use the loop's ``LoopTimers`` (nothing is scheduled per stream).
final class HTTP2ServerConnection: ChannelDuplexHandler, NIOHTTP2FrameDelegate {
    typealias InboundIn = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// How long a connection with no open stream stays.
    static let idleTime = TimeAmount.seconds(300)
    /// How long the streams in flight may take once GOAWAY went out on drain.
    static let graceTime = TimeAmount.seconds(30)
    /// The connection's receive window is topped up to this size once it falls to half of it.
    static let connectionWindowTarget = 65535

    private let loop: LoopContext
    private let scheme: String
    /// The client's forwarding lines, built once for every stream of the connection.
    private let forwarding: ForwardingContext
    private var context: ChannelHandlerContext?
    private var timer: ConnectionTimer?
    private var streams: [HTTP2StreamID: HTTP2ServerStream] = [:]
    /// The streams that received frames in the current read batch (told when it ends).
    private var readStreams: [HTTP2ServerStream] = []
    private var lastStreamID = HTTP2StreamID.rootStream
    private var draining = false

    /// A handler for a connection of `loop` whose client is described by `forwarding`.
    init(loop: LoopContext, scheme: String, forwarding: ForwardingContext) {
        self.loop = loop
        self.scheme = scheme
        self.forwarding = forwarding
    }

    /// The connection channel's allocator.
    var allocator: ByteBufferAllocator { context?.channel.allocator ?? ByteBufferAllocator() }

    /// The connection's event loop.
    var eventLoop: any EventLoop { loop.eventLoop }

    /// Whether the connection's socket takes more writes.
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The timer holds this handler until `handlerRemoved` (or `channelInactive`) cancels and drops it.
        timer = ConnectionTimer(timers: loop.timers) { self.timerFired() }
        timer?.set(.keepAlive, deadline: .now() + Self.idleTime)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closeAllStreams()
        stopTimer()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeAllStreams()
        stopTimer()
        context.fireChannelInactive()
    }

    // MARK: Frames and events from the HTTP/2 handler

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers):
            if let stream = streams[frame.streamID] {
                stream.receiveHeaders(headers)
                noteRead(stream)
            } else if frame.streamID > lastStreamID {
                // The HTTP/2 handler checked that the client may open this stream.
                let stream = openStream(frame.streamID)
                stream.receiveHeaders(headers)
                noteRead(stream)
            }
        case .data(let data):
            guard let stream = streams[frame.streamID] else { return }
            stream.receiveData(data)
            noteRead(stream)
        case .rstStream:
            streams[frame.streamID]?.closed()
        default:
            // SETTINGS, PING, WINDOW_UPDATE, PRIORITY, GOAWAY: the HTTP/2 handler acted on them.
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !readStreams.isEmpty else { return }
        for stream in readStreams where !stream.isClosed { stream.receiveComplete() }
        readStreams.removeAll(keepingCapacity: true)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        for stream in streams.values { stream.updateWritability() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The HTTP/2 handler sends several events per stream; telling them apart by their type's identity first
        // spares a failed dynamic cast for each kind tried before the right one.
        let type = ObjectIdentifier(Swift.type(of: event))
        if type == Self.windowUpdated {
            if let update = event as? NIOHTTP2WindowUpdatedEvent, update.streamID == .rootStream, let window = update.inboundWindowSize {
                topUpConnectionWindow(window)
            }
            return
        }
        if type == Self.streamClosedEvent {
            if let closed = event as? StreamClosedEvent { streams[closed.streamID]?.closed() }
            return
        }
        if type == Self.streamCreated || type == Self.bulkWindowChange { return }
        switch event {
        case is ChannelShouldQuiesceEvent:
            drain(context: context)
            return
        case let channelEvent as ChannelEvent where channelEvent == .inputClosed:
            context.close(promise: nil)
            return
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    private static let windowUpdated = ObjectIdentifier(NIOHTTP2WindowUpdatedEvent.self)
    private static let streamClosedEvent = ObjectIdentifier(StreamClosedEvent.self)
    private static let streamCreated = ObjectIdentifier(NIOHTTP2StreamCreatedEvent.self)
    private static let bulkWindowChange = ObjectIdentifier(NIOHTTP2BulkStreamWindowChangeEvent.self)

    // MARK: Streams

    /// A new stream with its proxy.
    private func openStream(_ id: HTTP2StreamID) -> HTTP2ServerStream {
        let stream = HTTP2ServerStream(id: id, connection: self)
        let proxy = ProxyHandler(loop: loop, scheme: scheme, stream: (forwarding, stream))
        stream.attach(proxy)
        streams[id] = stream
        lastStreamID = id
        if streams.count == 1 && !draining { timer?.cancel() }
        proxy.startStream()
        return stream
    }

    private func noteRead(_ stream: HTTP2ServerStream) {
        if readStreams.last !== stream { readStreams.append(stream) }
    }

    /// Called by a stream as it closes.
    func streamClosed(_ stream: HTTP2ServerStream) {
        guard streams[stream.id] === stream else { return }
        streams[stream.id] = nil
        guard streams.isEmpty, let context else { return }
        if draining {
            closeAfterFlush(context: context)
        } else {
            timer?.set(.keepAlive, deadline: .now() + Self.idleTime)
        }
    }

    private func closeAllStreams() {
        guard !streams.isEmpty else { return }
        let open = Array(streams.values)
        for stream in open { stream.closed() }
        streams.removeAll()
    }

    // MARK: Writing

    /// Writes one of a stream's frames (sent at the next flush).
    func write(_ frame: HTTP2Frame, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    /// Flushes the streams' frames (the flushes of one event-loop pass leave together, see ``HTTP2FlushCoalescer``).
    func flush() { context?.flush() }

    /// Hands the connection's receive window back once it is half used.
    private func topUpConnectionWindow(_ window: Int) {
        guard window <= Self.connectionWindowTarget / 2, let context else { return }
        let increment = Self.connectionWindowTarget - window
        context.write(
            wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))), promise: nil)
        context.flush()
    }

    /// Every frame the HTTP/2 handler writes: a GOAWAY with an error code ends the connection once it is sent.
    func wroteFrame(_ frame: HTTP2Frame) {
        guard case .goAway(_, let code, _) = frame.payload, code != .noError, let context else { return }
        closeAfterFlush(context: context)
    }

    // MARK: Drain and timers

    /// GOAWAY for the streams after the last one taken; closes now when none is open, else when the last ends.
    private func drain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        goAway(context: context)
        if streams.isEmpty {
            closeAfterFlush(context: context)
        } else {
            timer?.set(.linger, deadline: .now() + Self.graceTime)
        }
    }

    /// Closes on the loop's next tick, after the flush of the frames written in this pass.
    private func closeAfterFlush(context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().execute { self.context?.close(promise: nil) }
    }

    private func goAway(context: ChannelHandlerContext) {
        let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Idle for too long, or the grace time after drain passed: GOAWAY (unless sent already) and close.
    private func timerFired() {
        guard let context else { return }
        if !draining { goAway(context: context) }
        context.close(promise: nil)
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
    }
}
