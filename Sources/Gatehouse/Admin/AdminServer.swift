import ControlPlane
import DataPlane
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The admin endpoint: `GET /healthz` (process alive), `GET /readyz` (200 once the first snapshot is live, 503
/// while draining), `GET /metrics` (Prometheus text). Small and off the hot path, so it uses NIO's HTTP pipeline.
public final class AdminServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let portRequired: Bool
    private let group: any EventLoopGroup
    private let status: AdminStatus
    private let logger: Logger
    private let bound: EventLoopPromise<Int>

    /// Creates the admin server; when `portRequired` is false a port that is taken only disables the admin endpoint.
    public init(host: String, port: Int, portRequired: Bool = true, group: any EventLoopGroup, status: AdminStatus, logger: Logger) {
        self.host = host
        self.port = port
        self.portRequired = portRequired
        self.group = group
        self.status = status
        self.logger = logger
        self.bound = group.next().makePromise(of: Int.self)
    }

    /// The port actually bound, once listening.
    public func boundPort() async throws -> Int { try await bound.futureResult.get() }

    /// Serves until graceful shutdown starts; readiness turns 503 at once, the listener closes last.
    public func run() async throws {
        let status = self.status
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(status: status))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            bound.fail(error)
            guard !portRequired else { throw error }
            logger.warning(
                "admin endpoint not started: the default port is not available; pass --admin-port to choose one",
                metadata: ["port": "\(port)", "error": "\(error)"]
            )
            try? await gracefulShutdown()
            return
        }
        bound.succeed(channel.localAddress?.port ?? port)
        logger.info("admin listening", metadata: ["address": "\(host):\(channel.localAddress?.port ?? port)"])
        try? await gracefulShutdown()
        status.draining.store(true, ordering: .relaxed)
        try? await channel.close()
    }
}

/// What the admin endpoints report.
public final class AdminStatus: Sendable {
    /// Whether the first snapshot is live.
    let ready: @Sendable () -> Bool
    /// Metrics text.
    let metrics: @Sendable () -> String
    /// Set when shutdown begins.
    let draining = Atomic<Bool>(false)

    /// Creates the status from closures reading the live components.
    public init(ready: @escaping @Sendable () -> Bool, metrics: @escaping @Sendable () -> String) {
        self.ready = ready
        self.metrics = metrics
    }

    /// Marks the process as draining (readiness 503).
    public func beginDraining() { draining.store(true, ordering: .relaxed) }
}

/// Answers the admin routes.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let status: AdminStatus
    private var path = ""
    private var keepAlive = true

    init(status: AdminStatus) { self.status = status }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            let (code, body, type): (HTTPResponseStatus, String, String)
            switch path {
            case "/healthz":
                (code, body, type) = (.ok, "ok\n", "text/plain")
            case "/readyz":
                let ready = status.ready() && !status.draining.load(ordering: .relaxed)
                (code, body, type) = ready ? (.ok, "ready\n", "text/plain") : (.serviceUnavailable, "not ready\n", "text/plain")
            case "/metrics":
                (code, body, type) = (.ok, status.metrics(), "text/plain; version=0.0.4")
            default:
                (code, body, type) = (.notFound, "not found\n", "text/plain")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: code, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let keepAlive = self.keepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
