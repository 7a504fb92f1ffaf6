import NIOCore
import NIOHTTP2

/// The last handler of a client's HTTP/2 connection, and the HTTP/2 handler's stream delegate: it counts the open
/// streams and closes the connection when it has nothing left to do.
///
/// - Drain (`ChannelShouldQuiesceEvent`): GOAWAY naming the last stream the connection took, so the client retries
///   later ones elsewhere; the streams in flight finish, then the connection closes (after ``graceTime`` at most).
/// - Idle: with no stream open for ``idleTime``, GOAWAY and close.
/// - Half-close: the client sent FIN. Client connections allow half-closure (an HTTP/1.1 client may send its request,
///   shut its output and read the answer), but an HTTP/2 peer that can send nothing more can no longer hand back
///   flow-control windows or acknowledge settings: its streams could only stall, holding their backend connections
///   until a timeout, and the socket would stay in CLOSE_WAIT. The connection closes at once, as nginx's and Go's do.
///
/// Deadlines use the loop's ``LoopTimers`` (nothing is scheduled per stream). Being a class matters for the
/// delegate: NIO copies it with its multiplexer state on every frame, which for a class is one retain.
final class HTTP2ConnectionHandler: ChannelDuplexHandler, NIOHTTP2StreamDelegate, @unchecked Sendable {
    // Safety: NIO calls the handler and the delegate methods on the connection's event loop only.
    typealias InboundIn = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// How long a connection with no open stream stays.
    static let idleTime = TimeAmount.seconds(300)
    /// How long the streams in flight may take once GOAWAY went out on drain.
    static let graceTime = TimeAmount.seconds(30)

    private let loop: LoopContext
    private var context: ChannelHandlerContext?
    private var timer: ConnectionTimer?
    private var openStreams = 0
    private var lastStreamID = HTTP2StreamID.rootStream
    private var draining = false

    /// A handler for a connection of `loop`.
    init(loop: LoopContext) { self.loop = loop }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The timer holds this handler until `handlerRemoved` (or `channelInactive`) cancels and drops it.
        timer = ConnectionTimer(timers: loop.timers) { self.timerFired() }
        timer?.set(.keepAlive, deadline: .now() + Self.idleTime)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
        openStreams += 1
        if id > lastStreamID { lastStreamID = id }
        if openStreams == 1 && !draining { timer?.cancel() }
    }

    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
        openStreams = max(0, openStreams - 1)
        guard openStreams == 0, let context else { return }
        if draining {
            closeAfterFlush(context: context)
        } else {
            timer?.set(.keepAlive, deadline: .now() + Self.idleTime)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
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

    /// GOAWAY for the streams after the last one taken; closes now when none is open, else when the last ends.
    private func drain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        goAway(context: context)
        if openStreams == 0 {
            closeAfterFlush(context: context)
        } else {
            timer?.set(.linger, deadline: .now() + Self.graceTime)
        }
    }

    /// Closes on the loop's next tick. A stream closes as its last frame is written, before the flush that sends
    /// it reaches the HTTP/2 handler: closing at once would drop that frame.
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
