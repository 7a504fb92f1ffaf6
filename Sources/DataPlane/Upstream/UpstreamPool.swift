import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import Routing

/// What an upstream connection is for: an endpoint and the protocol spoken to it.
struct PoolKey: Hashable {
    /// The endpoint.
    let endpoint: UpstreamEndpoint
    /// The backend protocol (`backend-protocol`).
    let backendProtocol: BackendProtocol

    /// The endpoint's stored hash and the protocol's two facts, which tell its cases apart. An enum with raw values
    /// hashes its raw String by default: twice per request, for taking and returning a connection.
    func hash(into hasher: inout Hasher) {
        hasher.combine(endpoint)
        hasher.combine(backendProtocol.usesTLS)
        hasher.combine(backendProtocol.usesHTTP2)
    }
}

/// The upstream connections of one event loop. HTTP/1.1 connections (plain or TLS) are kept idle between
/// requests, by endpoint and protocol; HTTP/2 connections (gRPC) are shared by many streams, one stream per
/// request. Used only on its loop, so it takes no lock. Idle HTTP/1.1 connections older than the idle timeout
/// are closed by a sweep that runs while any are idle. An idle connection the backend closes stays listed until
/// it would be taken, the sweep runs or the pool is full (no closure or weak reference per release:
/// either costs an allocation, and a weak one moves the object's reference counting to a slower side table).
final class UpstreamPool {
    private let eventLoop: any EventLoop
    private let configuration: ProxyConfiguration
    private let metrics: ProxyMetrics
    private var idle: [PoolKey: IdleList] = [:]
    private var idleCount = 0
    private var sweep: Scheduled<Void>?
    private var http2Connections: [PoolKey: HTTP2UpstreamConnection] = [:]
    private var tlsContexts: [Bool: NIOSSLContext] = [:]
    /// Response parsing limits for new connections.
    let limits: HTTP1Limits

    init(eventLoop: any EventLoop, configuration: ProxyConfiguration, metrics: ProxyMetrics) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.metrics = metrics
        self.limits = HTTP1Limits(maxHeadBytes: 64 * 1024, maxHeaderCount: 200, maxRequestLineBytes: 8192)
    }

    /// An idle, open HTTP/1.1 connection for `key`, if there is one (most recently used first).
    /// The list is edited in place (an emptied one stays until the sweep): one lookup, no copy of the array.
    func takeIdle(_ key: PoolKey) -> UpstreamConnection? {
        guard idleCount > 0, let list = idle[key] else { return nil }
        while let connection = list.connections.popLast() {
            idleCount -= 1
            if connection.isOpen {
                connection.reused = true
                return connection
            }
        }
        return nil
    }

    /// A connection for one request: a new HTTP/1.1 connection, or a new stream on a (possibly new) HTTP/2 one.
    func connect(_ key: PoolKey, timeout: TimeAmount) -> EventLoopFuture<UpstreamConnection> {
        if key.backendProtocol.usesHTTP2 { return openStream(key, timeout: timeout) }
        let limits = self.limits
        let tls = key.backendProtocol.usesTLS ? tlsContext(http2: false) : nil
        return dial(key, timeout: timeout) { channel in
            if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil)) }
            try channel.pipeline.syncOperations.addHandler(UpstreamHandler(limits: limits))
        }
        .flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
            return UpstreamConnection(channel: channel, key: key, handler: handler, isStream: false)
        }
    }

    /// Opens a TCP connection to the key's endpoint with `initialize` setting up its pipeline.
    private func dial(
        _ key: PoolKey,
        timeout: TimeAmount,
        initialize: @escaping @Sendable (any Channel) throws -> Void
    ) -> EventLoopFuture<any Channel> {
        metrics.upstreamConnects.wrappingAdd(1, ordering: .relaxed)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in channel.setUp { try initialize(channel) } }
        if let address = key.endpoint.address { return bootstrap.connect(to: address) }
        return bootstrap.connect(host: key.endpoint.host, port: key.endpoint.port)
    }

    /// A new stream on the key's HTTP/2 connection, connecting first when there is none usable.
    private func openStream(_ key: PoolKey, timeout: TimeAmount) -> EventLoopFuture<UpstreamConnection> {
        let loop = eventLoop.assumeIsolated()
        let parent: EventLoopFuture<HTTP2UpstreamConnection>.Isolated
        if let existing = http2Connections[key], existing.isUsable {
            parent = loop.makeSucceededFuture(existing).assumeIsolated()
        } else {
            let tls = key.backendProtocol.usesTLS ? tlsContext(http2: true) : nil
            parent = dial(key, timeout: timeout) { channel in
                if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .client,
                    connectionConfiguration: .init(),
                    streamConfiguration: .init()
                ) { stream in stream.eventLoop.makeSucceededVoidFuture() }
                try channel.pipeline.syncOperations.addHandler(HTTP2GoAwayWatcher())
            }
            .assumeIsolated()
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self)
                let watcher = try channel.pipeline.syncOperations.handler(type: HTTP2GoAwayWatcher.self)
                let connection = HTTP2UpstreamConnection(channel: channel, multiplexer: try handler.syncMultiplexer(), watcher: watcher)
                self.http2Connections[key] = connection
                return connection
            }
        }
        let limits = self.limits
        let scheme = key.backendProtocol.usesTLS ? "https" : "http"
        return parent.flatMap { connection in
            let promise = self.eventLoop.makePromise(of: (any Channel).self)
            connection.multiplexer.createStreamChannel(promise: promise) { stream in
                stream.setUp {
                    try stream.pipeline.syncOperations.addHandler(HTTP2ClientBridge(scheme: scheme))
                    try stream.pipeline.syncOperations.addHandler(UpstreamHandler(limits: limits))
                }
            }
            return promise.futureResult
        }
        .flatMapThrowing { (stream: any Channel) in
            let handler = try stream.pipeline.syncOperations.handler(type: UpstreamHandler.self)
            return UpstreamConnection(channel: stream, key: key, handler: handler, isStream: true)
        }
        .nonisolated()
    }

    /// The client TLS context for backends (no certificate verification, as ingress-nginx by default).
    private func tlsContext(http2: Bool) -> NIOSSLContext? {
        if let context = tlsContexts[http2] { return context }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configuration.applicationProtocols = http2 ? ["h2"] : ["http/1.1"]
        let context = try? NIOSSLContext(configuration: configuration)
        tlsContexts[http2] = context
        return context
    }

    /// Returns a connection whose exchange completed cleanly to the loop's idle connections. When they number
    /// ``ProxyConfiguration/maxIdleUpstreamConnections`` (all endpoints together), the least recently used one is
    /// closed to make room; with a limit of 0 the returned one is closed. HTTP/2 streams end on their own.
    func release(_ connection: UpstreamConnection) {
        connection.handler.delegate = nil
        if connection.isStream { return }
        guard connection.isOpen else {
            connection.close()
            return
        }
        // One dictionary lookup once the endpoint has a list, which is edited in place.
        let list: IdleList
        if let existing = idle[connection.key] {
            list = existing
        } else {
            list = IdleList()
            idle[connection.key] = list
        }
        // Full: drop what this endpoint's backend closed (the sweep drops the others'), then, if still full, the
        // least recently used idle connection of any endpoint, as ingress-nginx's keep-alive cache does. Closing the
        // returned one instead would leave the pool to the endpoints that filled it first, and every request to
        // the others would open a new connection.
        let limit = configuration.maxIdleUpstreamConnections
        if idleCount >= limit {
            idleCount -= Self.remove(from: &list.connections) { !$0.isOpen }
            if idleCount >= limit, let oldest = leastRecentlyUsed() {
                oldest.connections.removeFirst().close()
                idleCount -= 1
            }
        }
        guard idleCount < limit else {
            connection.close()
            return
        }
        list.connections.append(connection)
        idleCount += 1
        connection.idleSince = .now()
        connection.handler.resumeReading()
        scheduleSweep()
    }

    /// The idle list whose first (oldest) connection went idle before every other list's: a scan of the lists,
    /// made only when the pool is full.
    private func leastRecentlyUsed() -> IdleList? {
        var oldest: IdleList?
        for list in idle.values {
            guard let first = list.connections.first else { continue }
            if let current = oldest?.connections.first, current.idleSince <= first.idleSince { continue }
            oldest = list
        }
        return oldest
    }

    /// Closes a connection (or resets a stream) that cannot be reused.
    func discard(_ connection: UpstreamConnection) {
        connection.handler.delegate = nil
        connection.close()
    }

    /// The idle connections listed for `key`, closed ones included (for tests).
    func listedConnections(_ key: PoolKey) -> [UpstreamConnection] { idle[key]?.connections ?? [] }

    /// Drops the connections of `key`'s idle list that `shouldDrop` picks, closing them (a no-op for a connection
    /// the backend already closed).
    private func drop(from key: PoolKey, where shouldDrop: (UpstreamConnection) -> Bool) {
        guard let list = idle[key] else { return }
        idleCount -= Self.remove(from: &list.connections, where: shouldDrop)
        if list.connections.isEmpty { idle[key] = nil }
    }

    /// Removes the connections of an idle `list` that `shouldDrop` picks, closing them; returns how many.
    private static func remove(from list: inout [UpstreamConnection], where shouldDrop: (UpstreamConnection) -> Bool) -> Int {
        let before = list.count
        list.removeAll { connection in
            guard shouldDrop(connection) else { return false }
            connection.close()
            return true
        }
        return before - list.count
    }

    /// Closes every idle connection and every HTTP/2 connection (shutdown).
    func closeAll() {
        let all = idle.values.flatMap(\.connections)
        idle = [:]
        idleCount = 0
        for connection in all {
            connection.close()
        }
        for connection in http2Connections.values { connection.channel.close(promise: nil) }
        http2Connections = [:]
        sweep?.cancel()
        sweep = nil
    }

    /// Runs the idle sweep while connections are idle.
    private func scheduleSweep() {
        guard sweep == nil else { return }
        // A strong capture: the pool lives as long as its loop, and `closeAll` cancels the sweep.
        sweep = eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) {
            self.sweep = nil
            let limit = NIODeadline.now() - TimeAmount(self.configuration.upstreamIdleTimeout)
            for key in Array(self.idle.keys) { self.drop(from: key) { $0.idleSince < limit || !$0.isOpen } }
            if self.idleCount > 0 { self.scheduleSweep() }
        }
    }
}

/// The idle connections of one pool key, most recently used last (so the first went idle before the others). A
/// class, so taking and returning a connection edit the list through one dictionary read (a dictionary's in-place
/// `modify` allocates its access frame).
final class IdleList {
    /// The connections.
    var connections: [UpstreamConnection] = []
}

/// An HTTP/2 connection to a backend, shared by the streams of many requests.
final class HTTP2UpstreamConnection {
    /// The TCP (or TLS) channel.
    let channel: any Channel
    /// Opens streams.
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let watcher: HTTP2GoAwayWatcher

    init(channel: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, watcher: HTTP2GoAwayWatcher) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.watcher = watcher
    }

    /// Open and not shutting down (no GOAWAY received).
    var isUsable: Bool { channel.isActive && !watcher.goAwayReceived }
}

/// Notes a GOAWAY from the backend, so no new stream is opened on that connection.
final class HTTP2GoAwayWatcher: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    /// Whether the backend sent GOAWAY.
    private(set) var goAwayReceived = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .goAway = unwrapInboundIn(data).payload { goAwayReceived = true }
        context.fireChannelRead(data)
    }
}

extension TimeAmount {
    /// Converts a Swift `Duration` (whole nanoseconds).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
