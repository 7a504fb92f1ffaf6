import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle

/// The listeners: plain HTTP (HTTP/1.1, and h2c with prior knowledge) and HTTPS (TLS 1.2/1.3 with the certificate
/// chosen by SNI; ALPN `h2` or `http/1.1`). Each client connection gets a ``ProxyHandler`` (HTTP/2: one per stream)
/// on its event loop. On graceful shutdown both stop accepting, in-flight requests finish (idle connections close at
/// once, busy ones after their current response; HTTP/2 gets GOAWAY), then idle upstream connections close.
public final class ProxyServer: Service, Sendable {
    private let configuration: ProxyConfiguration
    private let group: any EventLoopGroup
    private let live: LiveSnapshot
    private let certificates: CertificateStore?
    private let logger: Logger
    private let bound: EventLoopPromise<Int>
    private let boundHTTPS: EventLoopPromise<Int>
    private let connections = OpenConnections()

    /// Creates a server publishing through `live` (whose contexts must belong to `group`); `certificates` enables
    /// the HTTPS listener when the configuration has an HTTPS port.
    public init(
        configuration: ProxyConfiguration,
        group: any EventLoopGroup,
        live: LiveSnapshot,
        certificates: CertificateStore?,
        logger: Logger
    ) {
        self.configuration = configuration
        self.group = group
        self.live = live
        self.certificates = certificates
        self.logger = logger
        self.bound = group.next().makePromise(of: Int.self)
        self.boundHTTPS = group.next().makePromise(of: Int.self)
    }

    /// The HTTP port actually bound (useful with port 0), once listening.
    public func boundPort() async throws -> Int { try await bound.futureResult.get() }

    /// The HTTPS port actually bound, once listening.
    public func boundHTTPSPort() async throws -> Int { try await boundHTTPS.futureResult.get() }

    /// Listens until graceful shutdown, then drains.
    public func run() async throws {
        var channels: [any Channel] = []
        do {
            let port = try await listen(port: configuration.httpPort, tls: nil, channels: &channels)
            bound.succeed(port)
            logger.info("listening", metadata: ["protocol": "http", "address": "\(configuration.bindAddress):\(port)"])
            if let httpsPort = configuration.httpsPort, let certificates {
                let context = try certificates.makeServerContext()
                let port: Int
                do {
                    port = try await listen(port: httpsPort, tls: context, channels: &channels)
                } catch  where !configuration.httpsPortRequired {
                    // The default HTTPS port is taken (another instance?): serve plain HTTP rather than nothing.
                    logger.warning(
                        "HTTPS listener not started: the default port is not available; pass --https-port to choose one",
                        metadata: ["port": "\(httpsPort)", "error": "\(error)"]
                    )
                    boundHTTPS.fail(error)
                    return try await serve(listeners: channels)
                }
                // Port 0 picked a free port: redirects must name that one.
                if configuration.redirectHTTPSPort == 0 { live.setRedirectHTTPSPort(port) }
                boundHTTPS.succeed(port)
                logger.info("listening", metadata: ["protocol": "https", "address": "\(configuration.bindAddress):\(port)"])
            } else {
                boundHTTPS.fail(ChannelError.ioOnClosedChannel)
            }
        } catch {
            bound.fail(error)
            boundHTTPS.fail(error)
            for channel in channels { try? await channel.close() }
            throw error
        }

        try await serve(listeners: channels)
    }

    /// Waits for graceful shutdown, then stops accepting and drains the connections.
    private func serve(listeners: [any Channel]) async throws {
        try? await gracefulShutdown()
        logger.info("draining connections")
        for listener in listeners { try? await listener.close() }
        let drained = group.next().makePromise(of: Void.self)
        connections.quiesce(on: group.next()).cascade(to: drained)
        let timeout = group.next().scheduleTask(in: TimeAmount(configuration.drainTimeout)) {
            drained.succeed(())
        }
        try? await drained.futureResult.get()
        timeout.cancel()
        // What the drain timeout left open closes now, while the event loops still run.
        try? await connections.closeAll(on: group.next()).get()
        live.closeIdleUpstreams()
        logger.info("listeners stopped")
    }

    /// Listens on `port` (0: a free port) with one listening socket per event loop, all bound with `SO_REUSEPORT`:
    /// the kernel spreads new connections over them and each loop accepts its own, instead of one loop accepting
    /// every connection and handing it to another thread. A given port another process already listens on is
    /// refused first by a plain bind (with `SO_REUSEPORT` alone, a second instance's listeners would silently share
    /// the port). With port 0, the first listener takes the free port the kernel picks and holds it while the others
    /// join (a probe closed before them would leave it free for anyone in between). Appends the listeners; returns
    /// the port.
    private func listen(port: Int, tls: NIOSSLContext?, channels: inout [any Channel]) async throws -> Int {
        let loops = Array(group.makeIterator())
        guard loops.count > 1 else {
            let channel = try await bind(port: port, on: group, tls: tls, reusePort: false)
            channels.append(channel)
            return channel.localAddress?.port ?? port
        }
        if port != 0 {
            let probe = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: configuration.bindAddress, port: port)
                .get()
            try await probe.close()
        }
        var chosen = port
        var bound: [any Channel] = []
        do {
            for loop in loops {
                let channel = try await bind(port: chosen, on: loop, tls: tls, reusePort: true)
                bound.append(channel)
                if chosen == 0 { chosen = channel.localAddress?.port ?? 0 }
            }
        } catch {
            for channel in bound { try? await channel.close() }
            throw error
        }
        channels += bound
        return chosen
    }

    /// Binds one listening socket on `group` (its connections stay on the loop that accepted them); with a TLS
    /// context, connections start with TLS and ALPN picks HTTP/2 or HTTP/1.1.
    private func bind(
        port: Int,
        on group: any EventLoopGroup,
        tls: NIOSSLContext?,
        reusePort: Bool
    ) async throws -> any Channel {
        let live = self.live
        let logger = self.logger
        let connections = self.connections
        let handshakeTimeout = TimeAmount(configuration.clientHeaderTimeout)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(
                ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_REUSEPORT)), value: reusePort ? 1 : 0
            )
            // On the listener: Linux gives every accepted socket the listener's TCP_NODELAY, so the connections need
            // no setsockopt of their own.
            .serverChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.setUp {
                    // Set here, synchronously: as a bootstrap child option it is applied through a chain of futures
                    // for every connection.
                    if let options = channel.syncOptions {
                        try options.setOption(.allowRemoteHalfClosure, value: true)
                    } else {
                        throw ChannelError.operationUnsupported
                    }
                    connections.add(channel)
                    guard let context = live.context(for: channel.eventLoop) else {
                        throw ChannelError.inappropriateOperationForState
                    }
                    guard let tls else {
                        try channel.pipeline.syncOperations.addHandler(ProxyHandler(loop: context))
                        return
                    }
                    try channel.pipeline.syncOperations.addHandler(TLSCloseFlushHolder())
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    try channel.pipeline.syncOperations.addHandler(TLSHandshakeGuard(timeout: handshakeTimeout))
                    try channel.pipeline.syncOperations.addHandler(
                        ApplicationProtocolNegotiationHandler { result, channel in
                            channel.setUp {
                                if case .negotiated("h2") = result {
                                    try HTTP2Server.configure(channel, loop: context, scheme: "https")
                                } else {
                                    try channel.pipeline.syncOperations.addHandler(ProxyHandler(loop: context, scheme: "https"))
                                }
                            }
                        }
                    )
                    try channel.pipeline.syncOperations.addHandler(TLSErrorHandler(logger: logger))
                }
            }
            .bind(host: configuration.bindAddress, port: port)
            .get()
    }
}

/// Closes connections whose TLS handshake fails (garbage, plain HTTP on the HTTPS port, truncated hellos) and
/// logs the reason at debug level; nothing else is affected.
final class TLSErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("TLS connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
