import NIOCore
import Routing

/// The handler of one client connection: parses requests (strictly), routes them on the current snapshot,
/// forwards them over pooled upstream connections and streams responses back, with backpressure both ways.
/// One request is in flight at a time; pipelined requests wait in the buffer until the previous response ends.
///
/// On an HTTP/1.1 connection it is the channel's handler. On HTTP/2 each stream has one, driven by its
/// ``HTTP2ServerStream`` (``startStream()``, ``receive(_:)``, ``receiveComplete()``, ``clientWritable()``,
/// ``streamClosed()``), which takes its output in place of a channel.
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the connection is doing.
    enum Phase {
        /// Waiting for (the rest of) a request head.
        case idle
        /// A request is being proxied.
        case exchange(ProxyExchange)
        /// An upgrade (WebSocket) was accepted: bytes flow both ways untouched until either side closes.
        case tunnel(ProxyExchange)
        /// The last response is written; input is read and dropped until the client closes or a timeout.
        case lingering
        /// Closing.
        case closed
    }

    /// What the connection's single timer is waiting for.
    enum TimerPurpose {
        case keepAlive, header, clientBody, upstreamRead, clientWrite, linger
    }

    private let loop: LoopContext
    private let scheme: String
    private var context: ChannelHandlerContext?
    private var parser: HTTP1RequestParser
    private var buffer = ByteBuffer()
    private var phase = Phase.idle
    /// The client side of this connection (peer address, port, scheme) and its fixed forwarding lines: given by
    /// the HTTP/2 connection to each of its streams, otherwise read from the channel when the handler is added.
    private var forwarding: ForwardingContext
    /// The HTTP/2 stream this handler serves (nil on a connection, and once the stream closed): it takes the
    /// output, and a backend's response as parts.
    private var stream: HTTP2ServerStream?
    private var requestsServed = 0
    private var quiescing = false
    /// The client half-closed: once the buffered requests are answered, the connection closes.
    private var inputClosed = false
    private var readsPaused = false
    private var readPending = false
    /// The channel's writability as its last change reported it (NIO announces every change synchronously, in
    /// the write or flush that caused it): asking the channel costs a pipeline and existential hop per response.
    private var channelWritable = true
    private var needsUpstreamFlush = false
    /// Small client writes not yet handed to the channel, gathered into one buffer (a response head and a short
    /// body become one write); see ``writeToClient(_:)``.
    private var clientOut = WriteGatherer.connectionOutput()
    /// This handler wrote to the client since the last flush.
    private var clientNeedsFlush = false
    private var timer: ConnectionTimer?
    /// The upstream head of the last finished exchange, whose memory the next request's upstream head reuses (a
    /// buffer each request otherwise: two allocations and two frees). Kept only up to ``reusedBufferCapacity``.
    private var upstreamHeadMemory: ByteBuffer?
    /// The last flushed client output that began with a response head written here (marked reusable for the
    /// gatherer, which tells it apart from buffers of backend bytes: keeping those would pin the backend
    /// connection's receive buffer), whose memory the next response head reuses. Kept only up to
    /// ``reusedBufferCapacity``.
    private var responseHeadMemory: ByteBuffer?
    /// The largest buffer kept for reuse: an idle connection holds at most two of this size.
    static let reusedBufferCapacity = 4096
    /// Whether the current request's body may be spliced from socket to socket (``SplicePipe``): a large
    /// Content-Length body, both connections plain TCP carrying HTTP/1.1. Cleared when the body ends; every other
    /// request pays one load for splicing.
    private var spliceCandidate = false
    /// The client channel's read settings from before its reads were narrowed for a spliced body (see
    /// ``narrowReads(_:)``), restored when the body ends.
    private var savedReadSettings: (allocator: any RecvByteBufferAllocator, messagesPerRead: UInt)?
    /// The fewest body bytes left for which splicing starts (a smaller body is copied: splicing it would cost more
    /// calls than it saves).
    static let spliceMinimum = 64 * 1024

    /// `buffer` when it is small enough to keep for reuse, else nil.
    private static func keptForReuse(_ buffer: ByteBuffer) -> ByteBuffer? {
        buffer.capacity <= reusedBufferCapacity ? buffer : nil
    }

    /// A handler for a connection of `scheme`; an HTTP/2 stream gives its connection's `forwarding` and itself.
    init(loop: LoopContext, scheme: String = "http", stream: (forwarding: ForwardingContext, stream: HTTP2ServerStream)? = nil) {
        self.loop = loop
        self.scheme = scheme
        self.forwarding = stream?.forwarding ?? .unknown
        self.stream = stream?.stream
        self.parser = HTTP1RequestParser(
            limits: HTTP1Limits(maxHeadBytes: loop.configuration.maxHeadBytes, maxHeaderCount: loop.configuration.maxHeaderCount)
        )
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Added after the channel's writes began (after TLS and ALPN), so its writability is read once here.
        channelWritable = context.channel.isWritable
        start()
        forwarding = ForwardingContext(
            channel: context.channel, scheme: scheme, trustForwardedHeaders: loop.configuration.useForwardedHeaders)
        // A connection waits for its first request head under the header timeout.
        arm(.keepAlive, after: loop.clientTimeouts.header)
    }

    /// Starts serving an HTTP/2 stream, which is created with its whole request head (read right after).
    func startStream() { start() }

    private func start() {
        // The timer holds this handler until it is removed or its stream closes (see ``ConnectionTimer``).
        timer = ConnectionTimer(timers: loop.timers) { self.timerFired() }
        loop.metrics.connectionsOpened.wrappingAdd(1, ordering: .relaxed)
        loop.metrics.connectionsActive.wrappingAdd(1, ordering: .relaxed)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
        self.context = nil
    }

    /// The HTTP/2 stream closed (both sides ended it, or either reset it).
    func streamClosed() {
        stop()
        stream = nil
    }

    private func stop() {
        loop.metrics.connectionsActive.wrappingSubtract(1, ordering: .relaxed)
        timer?.cancel()
        timer = nil
        releaseUpstreamOnClose()
    }

    /// Whether the client's side is still there (the channel handler not removed, or the stream open).
    private var attached: Bool { context != nil || stream != nil }

    /// Drops the upstream connection of an exchange or tunnel cut short by the client.
    private func releaseUpstreamOnClose() {
        switch phase {
        case .exchange(let exchange), .tunnel(let exchange):
            if let upstream = exchange.upstream {
                exchange.upstream = nil
                loop.pool.discard(upstream)
            }
        default:
            break
        }
        phase = .closed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receive(unwrapInboundIn(data))
    }

    /// Whether the handler takes request bytes now (an HTTP/2 stream keeps them otherwise, see ``resumeReading()``).
    var acceptsInput: Bool { !readsPaused }

    /// Bytes from the client.
    func receive(_ bytes: ByteBuffer) {
        switch phase {
        case .lingering, .closed:
            return
        case .tunnel(let exchange):
            guard let upstream = exchange.upstream else { return }
            upstream.write(bytes)
            needsUpstreamFlush = true
            arm(.upstreamRead, after: exchange.route.policy.readTimeout)
            if !upstream.isWritable { pauseReading() }
            return
        case .idle:
            break
        case .exchange(let exchange):
            if exchange.upstream != nil && !exchange.requestComplete {
                arm(.clientBody, after: loop.clientTimeouts.body)
            }
        }
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var incoming = bytes
            buffer.writeBuffer(&incoming)
        }
        advance()
        // Bytes of a head that is not complete yet start the header timeout; a head that arrived whole already set
        // its exchange's timer (one clock read and timer update per request fewer than arming it first).
        if case .idle = phase, buffer.readableBytes > 0, timer?.purpose == .keepAlive {
            arm(.header, after: loop.clientTimeouts.header)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        receiveComplete()
    }

    /// The end of a batch of client bytes.
    func receiveComplete() {
        if buffer.readableBytes == 0 { buffer = ByteBuffer() }
        flushUpstream()
        if spliceCandidate { trySplice() }
        flushClient()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        channelWritable = context.channel.isWritable
        guard channelWritable else { return }
        clientWritable()
    }

    /// The client's side takes writes again.
    func clientWritable() {
        switch phase {
        case .exchange(let exchange), .tunnel(let exchange):
            exchange.upstream?.handler.resumeReading()
            arm(.upstreamRead, after: exchange.route.policy.readTimeout)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseUpstreamOnClose()
        timer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if case .idle = phase, buffer.readableBytes == 0 { close() }
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client finished sending; an exchange in flight still gets its response.
            inputClosed = true
            switch phase {
            case .idle, .lingering, .tunnel: close()
            case .exchange(let exchange) where !exchange.requestComplete && exchange.upstream != nil:
                advance()
            default: break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    // MARK: - Requests

    /// Parses and forwards as far as the buffered bytes, the upstream and backpressure allow.
    private func advance() {
        while true {
            switch phase {
            case .lingering, .closed, .tunnel:
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return
            case .idle:
                guard !quiescing || buffer.readableBytes > 0 else {
                    close()
                    return
                }
                switch parser.next(&buffer) {
                case .head(let head):
                    begin(head)
                case .needMoreData:
                    return
                case .error(let error):
                    if error.kind == .http2Preface, requestsServed == 0, scheme == "http", let context {
                        switchToHTTP2(context)
                        return
                    }
                    loop.metrics.badRequests.wrappingAdd(1, ordering: .relaxed)
                    respondLocally(status: error.status, headRequest: false, close: true)
                    return
                case .body, .trailers, .end:
                    // The rest of a request answered locally (only body-less ones keep the connection open).
                    continue
                }
            case .exchange(let exchange):
                guard !exchange.requestComplete else {
                    // Pipelined bytes wait; stop reading when a lot piles up.
                    if buffer.readableBytes > loop.configuration.maxHeadBytes { pauseReading() }
                    return
                }
                guard let upstream = exchange.upstream else {
                    if buffer.readableBytes > 64 * 1024 { pauseReading() }
                    return
                }
                switch parser.next(&buffer) {
                case .body(let body):
                    exchange.bodyBytesReceived += body.readableBytes
                    if let limit = exchange.maxBodyBytes, exchange.bodyBytesReceived > limit {
                        failExchange(exchange, status: 413, reason: "request body larger than \(limit) bytes")
                        return
                    }
                    // Body bytes already read go upstream even past its high-water mark, so they are never copied
                    // into `buffer` behind later reads; reading stops until the upstream drains (at most one read
                    // burst more is queued there).
                    forwardBody(body, exchange: exchange, upstream: upstream)
                    if !upstream.isWritable { pauseReading() }
                case .trailers(let trailers):
                    if exchange.upstreamFraming == .chunked {
                        var out = upstream.channel.allocator.buffer(capacity: trailers.bytes.readableBytes + 8)
                        ChunkedEncoding.writeLastChunk(trailers: trailers, into: &out)
                        upstream.write(out)
                        exchange.upstreamFramingClosed = true
                    }
                case .end:
                    if spliceCandidate { endSplicing() }
                    if exchange.upstreamFraming == .chunked && !exchange.upstreamFramingClosed {
                        upstream.write(ByteBuffer(staticString: "0\r\n\r\n"))
                    }
                    exchange.requestComplete = true
                    needsUpstreamFlush = true
                    flushUpstream()
                    if !exchange.responseStarted { arm(.upstreamRead, after: exchange.route.policy.readTimeout) }
                case .needMoreData:
                    // A client that half-closed in the middle of its body can never finish it: the parser's verdict on
                    // the cut message fails it now, instead of the backend being held until the body timeout.
                    if inputClosed, case .error(let error) = parser.inputClosed() {
                        failExchange(exchange, status: error.status, reason: error.message)
                    }
                    return
                case .head:
                    return
                case .error(let error):
                    loop.metrics.badRequests.wrappingAdd(1, ordering: .relaxed)
                    failExchange(exchange, status: error.status, reason: error.message)
                    return
                }
            }
        }
    }

    /// Routes a new request and starts its exchange, or answers it locally (404, 503, 413, …).
    private func begin(_ head: consuming HTTP1Head) {
        requestsServed += 1
        let snapshot = loop.snapshot
        let isHEAD = head.isMethod("HEAD")
        let hasBody = head.bodyFraming != .none
        let targetString = head.target
        var target = Substring(targetString)
        let hostString = head.host ?? ""
        var hostValue = Substring(hostString)
        let originForm = target.utf8.first == UInt8(ascii: "/")
        if !originForm {
            if let (authority, path) = Self.splitAbsoluteForm(target) {
                hostValue = authority
                target = path
            } else if target == "*" && head.isMethod("OPTIONS") {
                target = "/"
            } else {
                respondLocally(status: 400, headRequest: isHEAD, close: true)
                return
            }
        }
        guard let (path, query) = originForm ? RequestPath.split(targetString) : RequestPath.split(target) else {
            respondLocally(status: 400, headRequest: isHEAD, close: true)
            return
        }
        let host = originForm ? RequestHost.normalize(hostString) : RequestHost.normalize(hostValue)
        guard let route = snapshot.route(host: host, path: path, memo: &loop.hostMemo) else {
            respondLocally(status: 404, headRequest: isHEAD, close: hasBody || !head.keepAlive)
            return
        }
        if route.redirectToHTTPS && scheme == "http" {
            redirectToHTTPS(host: hostValue, target: target, headRequest: isHEAD, close: hasBody || !head.keepAlive)
            return
        }
        let cluster: ClusterRuntime
        switch route.backend {
        case .unavailable(let status, _):
            respondLocally(status: status, headRequest: isHEAD, close: hasBody || !head.keepAlive)
            return
        case .cluster(let index):
            cluster = snapshot.clusters[index]
        }
        if cluster.endpoints.isEmpty {
            respondLocally(status: 503, headRequest: isHEAD, close: hasBody || !head.keepAlive)
            return
        }
        // gRPC streams may carry any number of messages; the body limit is for request bodies, not streams.
        let maxBody = route.policy.backendProtocol.usesHTTP2 ? nil : route.policy.maxBodyBytes
        if let limit = maxBody, let length = head.contentLength, length > limit {
            respondLocally(status: 413, headRequest: isHEAD, close: true)
            return
        }
        let framing: RequestHeadWriter.BodyFraming
        switch head.bodyFraming {
        case .contentLength(let length): framing = .contentLength(length)
        case .chunked: framing = .chunked
        case .none, .untilClose: framing = .none
        }
        let requestID: RequestID
        if let index = head.firstIndex(of: .xRequestID), !head.headers[index].value.isEmpty {
            requestID = .client(index)
        } else {
            requestID = .generated(loop.random.next(), loop.random.next())
        }
        let rewritten = route.upstreamTarget(path: path, query: query)
        let upgrade = head.upgradeIndex != nil && head.connectionTokens.upgrade && !hasBody && head.version == .http1_1
        let upstreamHead = RequestHeadWriter.make(
            head,
            target: rewritten,
            framing: framing,
            upgrade: upgrade,
            requestID: requestID,
            forwarding: forwarding,
            reusing: &upstreamHeadMemory
        )
        let closeAfter = !head.keepAlive || quiescing || requestsServed >= loop.configuration.maxRequestsPerConnection
        let sendContinue = head.expectsContinue && hasBody && head.version == .http1_1
        // The head's last use: it moves into the exchange without a copy.
        let exchange = ProxyExchange(
            head: head,
            route: route,
            cluster: cluster,
            snapshot: snapshot,
            upstreamHead: upstreamHead,
            upstreamFraming: framing,
            maxBodyBytes: maxBody
        )
        exchange.isUpgrade = upgrade
        exchange.closeAfter = closeAfter
        if case .contentLength(let length) = framing, length >= Self.spliceMinimum {
            spliceCandidate =
                loop.configuration.spliceRequestBodies && stream == nil && scheme == "http" && route.policy.backendProtocol == .http
        }
        phase = .exchange(exchange)
        if sendContinue {
            exchange.sentContinue = true
            writeToClient(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n"))
            flushClient()
        }
        connectUpstream(exchange)
    }

    /// Picks the next endpoint and attaches an idle or new connection to the exchange.
    private func connectUpstream(_ exchange: ProxyExchange) {
        let policy = exchange.route.policy
        guard exchange.tried.count < policy.upstreamTries, let endpoint = exchange.cluster.next(excluding: exchange.tried) else {
            let error = exchange.lastError ?? .connectFailed("no endpoint left to try")
            failExchange(exchange, status: error.status, reason: error.reason)
            return
        }
        exchange.tried.append(endpoint)
        let key = PoolKey(endpoint: endpoint, backendProtocol: policy.backendProtocol)
        if let idle = loop.pool.takeIdle(key) {
            attach(idle, to: exchange)
            return
        }
        arm(.upstreamRead, after: .seconds(Int64(policy.connectTimeoutSeconds) + 1))
        loop.pool.connect(key, timeout: .seconds(Int64(policy.connectTimeoutSeconds))).assumeIsolated().whenComplete { [self] result in
            guard case .exchange(let current) = phase, current === exchange else {
                if case .success(let connection) = result { loop.pool.release(connection) }
                return
            }
            switch result {
            case .success(let connection):
                attach(connection, to: exchange)
            case .failure(let error):
                loop.metrics.upstreamConnectFailures.wrappingAdd(1, ordering: .relaxed)
                let failure: ProxyError =
                    if case ChannelError.connectTimeout = error { .connectTimeout } else {
                        .connectFailed("connect to \(endpoint) failed: \(error)")
                    }
                exchange.lastError = failure
                loop.metrics.retries.wrappingAdd(1, ordering: .relaxed)
                connectUpstream(exchange)
            }
        }
    }

    /// Sends the head on `connection` and starts streaming the body.
    private func attach(_ connection: UpstreamConnection, to exchange: ProxyExchange) {
        exchange.upstream = connection
        exchange.bodyBytesSent = 0
        exchange.upstreamFramingClosed = false
        connection.handler.delegate = self
        connection.handler.expectResponse(toHEAD: exchange.isHEAD)
        connection.write(exchange.upstreamHead)
        exchange.headSent = true
        needsUpstreamFlush = true
        resumeReading()
        advance()
        flushUpstream()
        if exchange.requestComplete || !exchange.hasBody {
            arm(.upstreamRead, after: exchange.route.policy.readTimeout)
        } else {
            arm(.clientBody, after: loop.clientTimeouts.body)
            if spliceCandidate { trySplice() }
        }
    }

    /// Writes one piece of request body upstream with the exchange's framing.
    private func forwardBody(_ body: ByteBuffer, exchange: ProxyExchange, upstream: UpstreamConnection) {
        guard body.readableBytes > 0 else { return }
        if exchange.upstreamFraming == .chunked {
            ChunkedEncoding.emitChunk(body, allocator: upstream.channel.allocator) { upstream.write($0) }
        } else {
            upstream.write(body)
        }
        exchange.bodyBytesSent += body.readableBytes
        needsUpstreamFlush = true
    }

    private func flushUpstream() {
        guard needsUpstreamFlush else { return }
        needsUpstreamFlush = false
        switch phase {
        case .exchange(let exchange), .tunnel(let exchange): exchange.upstream?.flush()
        default: break
        }
    }

    // MARK: - Splicing request bodies

    /// Moves what the client's socket holds of a large request body straight into the backend's socket through
    /// the loop's ``SplicePipe``, when the request allows it (``spliceCandidate``) and no byte is waiting
    /// ahead of those: none in `buffer`, none queued towards the backend, reading not paused. Called wherever that
    /// may have become true: after client bytes were handled, the upstream attached or drained. Splicing starts
    /// with at least ``spliceMinimum`` left; once reads are narrowed it goes on to the body's last byte (a short rest
    /// read 1 KiB at a time would cost a readable event per KiB).
    private func trySplice() {
        guard spliceCandidate, case .exchange(let exchange) = phase, !exchange.requestComplete, !readsPaused,
            buffer.readableBytes == 0, let upstream = exchange.upstream, let context,
            let left = parser.contentLengthLeft, savedReadSettings != nil || left >= Self.spliceMinimum, upstream.outputDrained,
            let pipe = loop.splicePipe
        else { return }
        narrowReads(context)
        // Either socket may have closed since its channel last looked: the transfer then stops at once, or does not
        // run (nil), and the channel reports the close as usual.
        let transfer = try? context.pipeline.syncOperations.withUnsafeTransportIfAvailable(of: NIOBSDSocket.Handle.self) { client in
            try upstream.channel.pipeline.syncOperations.withUnsafeTransportIfAvailable(of: NIOBSDSocket.Handle.self) { backend in
                pipe.transfer(from: client, to: backend, limit: min(left, pipe.transferBudget), allocator: upstream.channel.allocator)
            }
        }
        if pipe.broken {
            failExchange(exchange, status: 502, reason: "request body lost in the splice pipe")
            return
        }
        guard let moved = transfer ?? nil, moved.taken > 0 else { return }
        parser.skipContentLength(moved.taken)
        exchange.bodyBytesReceived += moved.taken
        exchange.bodyBytesSent += moved.taken
        loop.metrics.requestBodyBytesSpliced.wrappingAdd(moved.taken, ordering: .relaxed)
        arm(.clientBody, after: loop.clientTimeouts.body)
        if let leftover = moved.leftover {
            // The backend's socket is full: the rest goes through its channel, which waits for room; reading stops
            // until it is written, then splicing goes on.
            pauseReading()
            let written = context.eventLoop.makePromise(of: Void.self)
            upstream.writeAndFlush(leftover, promise: written)
            written.futureResult.assumeIsolated().whenComplete { [self] _ in
                guard case .exchange(let current) = phase, current === exchange else { return }
                resumeReading()
                trySplice()
            }
        }
        // The whole body went: the parser reports its end.
        if moved.taken == left { advance() }
    }

    /// Makes the client channel read at most 1 KiB per readable event while a body is spliced: the event then
    /// mostly says that more arrived, and the bytes stay in the socket for the next splice.
    private func narrowReads(_ context: ChannelHandlerContext) {
        guard savedReadSettings == nil, let options = context.channel.syncOptions,
            let allocator = try? options.getOption(.recvAllocator), let messages = try? options.getOption(.maxMessagesPerRead)
        else { return }
        savedReadSettings = (allocator, messages)
        try? options.setOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 1024))
        try? options.setOption(.maxMessagesPerRead, value: 1)
    }

    /// The request's body ended (or its exchange did): gives the client channel back the read settings
    /// ``narrowReads(_:)`` replaced.
    private func endSplicing() {
        spliceCandidate = false
        guard let saved = savedReadSettings else { return }
        savedReadSettings = nil
        guard let options = context?.channel.syncOptions else { return }
        try? options.setOption(.recvAllocator, value: saved.allocator)
        try? options.setOption(.maxMessagesPerRead, value: saved.messagesPerRead)
    }

    // MARK: - Responses (UpstreamDelegate)

    func upstreamHead(_ head: HTTP1Head) {
        guard case .exchange(let exchange) = phase, attached else { return }
        if head.isInterim {
            if head.status == 100 && exchange.sentContinue { return }
            if exchange.head.version == .http1_1 { writeToClient(head.bytes) }
            return
        }
        if head.status == 101 {
            guard exchange.isUpgrade, let upstream = exchange.upstream else {
                upstreamFailed(.upstreamFailed("upstream switched protocols without an upgrade request"), receivedResponse: true)
                return
            }
            startTunnel(exchange, upstream: upstream, head: head)
            return
        }
        let framing: ResponseHeadWriter.BodyFraming
        if let stream {
            // HTTP/2 frames the body itself; the stream ends with the response.
            stream.sendResponseHead(head, date: loop.dateCache.currentText())
            exchange.closeAfter = true
            framing = .asIs
        } else {
            framing = writeResponseHead(head, exchange: exchange)
        }
        exchange.responseStarted = true
        exchange.responseFraming = framing
        exchange.status = head.status
        loop.metrics.countResponse(head.status)
    }

    /// Writes a backend's final head to an HTTP/1.1 client with the Connection field it needs; returns how the
    /// body is framed towards the client.
    private func writeResponseHead(_ head: HTTP1Head, exchange: ProxyExchange) -> ResponseHeadWriter.BodyFraming {
        let bodyless = exchange.isHEAD || head.status == 204 || head.status == 304
        var framing = ResponseHeadWriter.BodyFraming.asIs
        if !bodyless {
            switch head.bodyFraming {
            case .contentLength, .none: framing = .asIs
            case .chunked, .untilClose:
                framing = exchange.head.version == .http1_1 ? .chunked : .untilClose
            }
        }
        // A drain that began after this request did, or a client that half-closed with nothing more buffered, still
        // closes the connection after it: say so.
        if framing == .untilClose || !exchange.requestComplete || quiescing || clientDone { exchange.closeAfter = true }
        let connection: ConnectionField
        if exchange.closeAfter {
            connection = .close
        } else if exchange.head.version == .http1_0 {
            connection = .keepAlive
        } else {
            connection = .none
        }
        // Room for a short body too: it usually arrives in the same read and joins the head in one write.
        var bodyRoom = 0
        if case .contentLength(let length) = head.bodyFraming, !bodyless, length <= WriteGatherer.connectionPieceLimit { bodyRoom = length }
        writeToClient(
            ResponseHeadWriter.make(
                head, framing: framing, connection: connection, date: loop.dateCache.current(), extraCapacity: bodyRoom,
                reusing: &responseHeadMemory),
            reusable: true
        )
        return framing
    }

    func upstreamBody(_ body: ByteBuffer) {
        guard case .exchange(let exchange) = phase, attached, body.readableBytes > 0 else { return }
        if let stream {
            stream.sendResponseBody(body)
        } else if exchange.responseFraming == .chunked {
            ChunkedEncoding.emitChunk(body, allocator: allocator) { writeToClient($0) }
        } else {
            writeToClient(body)
        }
        if !clientIsWritable {
            flushClient()
            // The flush may have drained everything and fired the writability change already (synchronously):
            // pause only if the client is still behind, or nothing would ever resume the upstream.
            if !clientIsWritable {
                exchange.upstream?.handler.pauseReading()
                arm(.clientWrite, after: exchange.route.policy.sendTimeout)
            }
        }
    }

    func upstreamTrailers(_ trailers: HTTP1Trailers) {
        guard case .exchange(let exchange) = phase else { return }
        if let stream, exchange.responseStarted {
            stream.sendResponseTrailers(trailers)
            return
        }
        guard attached, exchange.responseFraming == .chunked else { return }
        var out = allocator.buffer(capacity: trailers.bytes.readableBytes + 8)
        ChunkedEncoding.writeLastChunk(trailers: trailers, into: &out)
        writeToClient(out)
        exchange.responseFramingClosed = true
    }

    func upstreamEnd(reusable: Bool) {
        guard case .exchange(let exchange) = phase, attached else { return }
        // The backend connection first: ending an HTTP/2 response can close the stream (and this exchange) at once.
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            if reusable && exchange.requestComplete { loop.pool.release(upstream) } else { loop.pool.discard(upstream) }
        }
        if let stream {
            stream.endResponse()
        } else if exchange.responseFraming == .chunked && !exchange.responseFramingClosed {
            writeToClient(ByteBuffer(staticString: "0\r\n\r\n"))
        }
        finish(exchange)
    }

    func upstreamFailed(_ error: ProxyError, receivedResponse: Bool) {
        if case .tunnel = phase {
            upstreamTunnelClosed()
            return
        }
        guard case .exchange(let exchange) = phase else { return }
        let stale = exchange.upstream?.reused == true && !receivedResponse
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            loop.pool.discard(upstream)
        }
        if !receivedResponse && exchange.canRetry(headSent: exchange.headSent, staleConnection: stale) {
            exchange.headSent = false
            exchange.lastError = error
            if stale { exchange.tried.removeLast() }  // a dead pooled connection does not count as a try
            loop.metrics.retries.wrappingAdd(1, ordering: .relaxed)
            connectUpstream(exchange)
            return
        }
        failExchange(exchange, status: error.status, reason: error.reason)
    }

    func upstreamTunnelData(_ bytes: ByteBuffer) {
        guard case .tunnel(let exchange) = phase, attached else { return }
        writeToClient(bytes)
        arm(.upstreamRead, after: exchange.route.policy.readTimeout)
        if !clientIsWritable {
            flushClient()
            // As in `upstreamBody`: the flush may have drained everything and fired the writability change
            // already; pausing then would stall the tunnel for good.
            if !clientIsWritable { exchange.upstream?.handler.pauseReading() }
        }
    }

    func upstreamTunnelClosed() {
        guard case .tunnel(let exchange) = phase else { return }
        exchange.upstream = nil
        phase = .lingering
        closeAfterFlush()
    }

    /// Forwards the backend's `101 Switching Protocols` and turns both connections into a byte tunnel; bytes the
    /// client sent after its request head go first.
    private func startTunnel(_ exchange: ProxyExchange, upstream: UpstreamConnection, head: HTTP1Head) {
        writeToClient(head.bytes)
        flushClient()
        exchange.responseStarted = true
        exchange.status = 101
        loop.metrics.countResponse(101)
        phase = .tunnel(exchange)
        upstream.handler.startTunnel()
        if buffer.readableBytes > 0 {
            upstream.write(buffer)
            upstream.flush()
            buffer = ByteBuffer()
        }
        resumeReading()
        arm(.upstreamRead, after: exchange.route.policy.readTimeout)
    }

    func upstreamReadComplete() {
        guard case .exchange(let exchange) = phase else {
            flushClient()
            return
        }
        if exchange.responseStarted || exchange.requestComplete {
            arm(.upstreamRead, after: exchange.route.policy.readTimeout)
        }
        flushClient()
    }

    func upstreamWritable() {
        resumeReading()
        advance()
        flushUpstream()
        if spliceCandidate { trySplice() }
    }

    // MARK: - Ending exchanges

    /// Whether the client half-closed and no pipelined request is left: nothing more can arrive.
    private var clientDone: Bool { inputClosed && buffer.readableBytes == 0 }

    /// Ends a completed exchange: close the connection or get ready for the next request.
    private func finish(_ exchange: ProxyExchange) {
        guard attached else { return }
        if spliceCandidate { endSplicing() }
        if exchange.closeAfter || quiescing || clientDone {
            phase = .lingering
            // A client that asked to close (or half-closed) after a request read whole, with nothing after it, has
            // nothing more to send: the connection closes once the response is written, without lingering. Not over
            // TLS: closing there makes the TLS handler wait for the client's close_notify, which clients that just
            // drop the connection never send (each connection would be held up to the handler's shutdown timeout);
            // shutting the output sends close_notify and the client's FIN ends the connection as before.
            let clientEnds =
                scheme == "http" && exchange.requestComplete && buffer.readableBytes == 0 && (!exchange.head.keepAlive || inputClosed)
            closeAfterFlush(inputDone: exchange.requestComplete, linger: !clientEnds)
            return
        }
        parser.recycle(exchange.head)
        upstreamHeadMemory = Self.keptForReuse(exchange.upstreamHead)
        phase = .idle
        flushClient()
        armIdle()
        resumeReading()
        if buffer.readableBytes > 0 { advance() }
    }

    /// The connection waits for its next request: under the keep-alive timeout, or under the header timeout when
    /// bytes of the next head already arrived (pipelined, or sent while the last response was on its way).
    private func armIdle() {
        if buffer.readableBytes > 0 {
            arm(.header, after: loop.clientTimeouts.header)
        } else {
            arm(.keepAlive, after: loop.clientTimeouts.keepAlive)
        }
    }

    /// Fails an exchange: a local error response if none started, else the connection is cut.
    private func failExchange(_ exchange: ProxyExchange, status: Int, reason: String) {
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            loop.pool.discard(upstream)
        }
        if exchange.responseStarted {
            phase = .closed
            close()
            return
        }
        respondLocally(status: status, headRequest: exchange.isHEAD, close: true)
    }

    /// Answers the current request without a backend. Closing answers linger: output is shut after the response,
    /// input is read and dropped for a moment, so the client sees the response instead of a reset.
    private func respondLocally(status: Int, headRequest: Bool, close: Bool, extraHeaders: String = "") {
        guard attached else { return }
        loop.metrics.countResponse(status)
        let close = close || clientDone
        var out = allocator.buffer(capacity: 256)
        ErrorResponse.write(
            status: status,
            headRequest: headRequest,
            close: close || quiescing,
            date: loop.dateCache.current(),
            extraHeaders: extraHeaders,
            into: &out
        )
        writeToClient(out)
        if close || quiescing {
            phase = .lingering
            closeAfterFlush()
        } else {
            // Only reached from `begin` inside `advance`, whose loop goes on with any pipelined request.
            phase = .idle
            flushClient()
            armIdle()
        }
    }

    /// Answers `308 Permanent Redirect` to the same URL on HTTPS (ingress-nginx's `ssl-redirect`).
    private func redirectToHTTPS(host: Substring, target: Substring, headRequest: Bool, close: Bool) {
        var name = host
        if name.utf8.first == UInt8(ascii: "[") {
            if let end = name.firstIndex(of: "]") { name = name[...end] }
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        let port = loop.redirectHTTPSPort
        let location = "https://\(name)\(port == 443 ? "" : ":\(port)")\(target)"
        respondLocally(status: 308, headRequest: headRequest, close: close, extraHeaders: "Location: \(location)\r\n")
    }

    /// Hands the connection to HTTP/2 (h2c with prior knowledge): the HTTP/2 handlers take the buffered preface.
    private func switchToHTTP2(_ context: ChannelHandlerContext) {
        do {
            try HTTP2Server.configure(context.channel, loop: loop, scheme: scheme)
        } catch {
            close()
            return
        }
        let bytes = buffer
        buffer = ByteBuffer()
        phase = .closed
        timer?.cancel()
        context.fireChannelRead(NIOAny(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Flushes, shuts the output down once written, and drops input until the client closes (bounded by a timer);
    /// without `linger` (the client has nothing more to send), closes the connection once the output is written.
    /// On an HTTP/2 stream, shutting the output is the stream's END_STREAM, sent right after the flushed response;
    /// a stream whose request already ended (`inputDone`) then closes by itself, without a linger timer.
    private func closeAfterFlush(inputDone: Bool = false, linger: Bool = true) {
        buffer.moveReaderIndex(to: buffer.writerIndex)
        if let stream {
            resumeReading()
            flushClient()
            stream.endOutput()
            if !inputDone { arm(.linger, after: .seconds(2)) }
            return
        }
        guard let context else { return }
        resumeReading()
        if !linger {
            // Usually the response is in the kernel once flushed: then close now, without a write to wait on.
            flushClient()
            if let options = context.channel.syncOptions, (try? options.getOption(.bufferedWritableBytes)) == 0 {
                return close()
            }
        }
        emitClientOut()
        clientNeedsFlush = false
        let promise = context.eventLoop.makePromise(of: Void.self)
        if linger && !inputClosed {
            // The output shuts once everything queued is written (the channel holds the shutdown until then), and
            // the linger starts then. Over TLS the response's records and close_notify leave in one socket write
            // (``TLSCloseFlushHolder`` holds the flushes until the close). Not once the client half-closed: the
            // close then becomes a full one, which would drop what is still queued.
            if scheme == "https" { context.triggerUserOutboundEvent(TLSCloseFlushHolder.hold, promise: nil) }
            context.flush()
            context.close(mode: .output, promise: promise)
            promise.futureResult.assumeIsolated().whenComplete { [self] _ in
                guard self.context != nil else { return }
                arm(.linger, after: .seconds(2))
            }
            return
        }
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { [self] _ in
            guard let context = self.context else { return }
            guard linger else { return close() }
            context.close(mode: .output, promise: nil)
            arm(.linger, after: .seconds(2))
        }
    }

    // MARK: - Client output

    /// Writes to the client. Small pieces are gathered into one buffer until the next flush (or until it is full).
    /// `reusable`: `bytes` is a buffer made here whose memory may be kept once written (a response head).
    private func writeToClient(_ bytes: ByteBuffer, reusable: Bool = false) {
        clientNeedsFlush = true
        guard !clientOut.gather(bytes, reusable: reusable) else { return }
        emitClientOut()
        send(bytes)
    }

    /// Hands bytes to the channel or the stream.
    private func send(_ bytes: ByteBuffer) {
        if let stream {
            stream.write(bytes)
        } else {
            context?.write(NIOAny(bytes), promise: nil)
        }
    }

    /// Whether the client's side takes more writes without piling them up.
    private var clientIsWritable: Bool { stream?.isWritable ?? (context != nil && channelWritable) }

    /// The allocator for bytes to the client.
    private var allocator: ByteBufferAllocator { stream?.allocator ?? context?.channel.allocator ?? ByteBufferAllocator() }

    /// Hands what was gathered to the channel.
    private func emitClientOut() {
        guard let gathered = clientOut.take() else { return }
        send(gathered)
    }

    /// Flushes the client's output if anything was written since the last flush. An HTTP/2 stream is always asked:
    /// it also writes the backend's response as frames of its own, and knows whether any wait for a flush.
    private func flushClient() {
        guard clientNeedsFlush || stream != nil else { return }
        clientNeedsFlush = false
        if let stream {
            emitClientOut()
            stream.flush()
        } else if let context {
            let (gathered, reusable) = clientOut.takeMarked()
            WriteGatherer.flush(gathered, to: context)
            // Written at once as a rule, so the buffer is ours alone again and the next response head reuses it.
            if reusable, let gathered { responseHeadMemory = Self.keptForReuse(gathered) }
        }
    }

    private func close() {
        guard attached else { return }
        timer?.cancel()
        phase = .closed
        if let stream {
            stream.close()
        } else {
            context?.close(promise: nil)
        }
    }

    // MARK: - Backpressure and timers

    private func pauseReading() { readsPaused = true }

    private func resumeReading() {
        guard readsPaused else { return }
        readsPaused = false
        if let stream {
            stream.resumeInput()
        } else if readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// Sets the connection's deadline (see ``ConnectionTimer``).
    private func arm(_ purpose: TimerPurpose, after amount: TimeAmount) {
        timer?.set(purpose, deadline: .now() + amount)
    }

    /// The deadline passed: close idle connections, answer 408 to slow clients, 504 for silent backends.
    private func timerFired() {
        switch timer?.purpose {
        case .keepAlive, .linger, .none:
            close()
        case .header:
            respondLocally(status: 408, headRequest: false, close: true)
        case .clientBody:
            guard case .exchange(let exchange) = phase else { return close() }
            failExchange(exchange, status: 408, reason: "client body timeout")
        case .upstreamRead, .clientWrite:
            if case .tunnel = phase { return close() }
            guard case .exchange(let exchange) = phase else { return close() }
            failExchange(exchange, status: 504, reason: "upstream timed out")
        }
    }

    /// Splits an absolute-form target (`http://host:port/path?q`) into the authority and the origin-form rest.
    static func splitAbsoluteForm(_ target: Substring) -> (Substring, Substring)? {
        let lower = target.prefix(8).lowercased()
        let skip: Int
        if lower.hasPrefix("http://") { skip = 7 } else if lower.hasPrefix("https://") { skip = 8 } else { return nil }
        let rest = target.dropFirst(skip)
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return (rest, "/") }
        let path = rest[slash...]
        return (rest[..<slash], path.first == "?" ? Substring("/" + path) : path)
    }
}

extension RoutePolicy {
    /// `proxy-read-timeout` as a NIO time amount.
    var readTimeout: TimeAmount { .seconds(Int64(readTimeoutSeconds)) }
    /// `proxy-send-timeout` as a NIO time amount.
    var sendTimeout: TimeAmount { .seconds(Int64(sendTimeoutSeconds)) }
}

extension HTTP1HeaderKind {
    /// Fields that frame a message and must never be forwarded as trailers.
    var isFraming: Bool {
        switch self {
        case .contentLength, .transferEncoding, .host, .connection, .keepAlive, .te, .trailer, .upgrade: true
        default: false
        }
    }
}
