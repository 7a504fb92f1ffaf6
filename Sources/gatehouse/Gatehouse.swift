import ArgumentParser
import ControlPlane
import DataPlane
import Foundation
import Gatehouse
import KubeModel
import Logging
import NIOPosix
import Routing
import Synchronization

/// The `gatehouse` command line: parse flags, build a configuration, run.
@main
struct GatehouseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "A Kubernetes Ingress controller and edge proxy.",
        subcommands: [Serve.self, Lint.self, Explain.self, PolicyCommand.self, Echo.self]
    )
}

/// Flags shared by commands that read manifests and route like the controller.
struct RoutingFlags: ParsableArguments {
    @Option(name: .customLong("manifests"), parsing: .upToNextOption, help: "Manifest files or directories (YAML or JSON, multi-document).")
    var manifests: [String] = []

    @Option(name: .customLong("ingress-class"), help: "Serve Ingresses of this class (repeatable; default: gatehouse and nginx).")
    var ingressClasses: [String] = []

    @Option(name: .customLong("controller-class"), help: "Serve IngressClasses whose spec.controller is this.")
    var controllerClass = RoutingOptions.defaultControllerClass

    @Flag(name: .customLong("watch-ingress-without-class"), help: "Also serve Ingresses that name no class.")
    var watchIngressWithoutClass = false

    @Option(
        name: .customLong("default-ssl-certificate"),
        help: "NAMESPACE/NAME of the TLS Secret served for unknown names (default: a generated self-signed one).")
    var defaultSSLCertificate: String?

    /// The `--default-ssl-certificate` Secret (nil: none given; `validate` refused malformed values).
    var defaultCertificate: ObjectRef? {
        defaultSSLCertificate.flatMap { ObjectRef(kind: "Secret", namespacedName: $0) }
    }

    /// The routing options these flags describe.
    var options: RoutingOptions {
        RoutingOptions(
            controllerClass: controllerClass,
            ingressClasses: Set(ingressClasses.isEmpty ? ["gatehouse", "nginx"] : ingressClasses),
            watchIngressWithoutClass: watchIngressWithoutClass,
            defaultCertificate: defaultCertificate
        )
    }

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("--manifests needs at least one file or directory") }
        if let defaultSSLCertificate, defaultCertificate == nil {
            throw ValidationError("--default-ssl-certificate must be NAMESPACE/NAME, got \"\(defaultSSLCertificate)\"")
        }
    }
}

/// `gatehouse serve`: run the proxy from manifest files, reloading them when they change.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve Ingresses from manifest files (hot reload).")

    @OptionGroup var routing: RoutingFlags

    @Option(name: .customLong("http-port"), help: "The plain HTTP port.")
    var httpPort = 8080

    @Option(name: .customLong("https-port"), help: "The HTTPS port.")
    var httpsPort: Int?

    @Option(name: .customLong("admin-port"), help: "The admin port (/healthz, /readyz, /metrics).")
    var adminPort: Int?

    @Option(name: .customLong("bind"), help: "The address to listen on.")
    var bind = "0.0.0.0"

    @Flag(name: .customLong("use-forwarded-headers"), help: "Trust and append client-sent X-Forwarded-* headers.")
    var useForwardedHeaders = false

    @Flag(
        name: .customLong("splice-request-bodies"), inversion: .prefixedNo,
        help: "Move large request bodies between plain-TCP connections inside the kernel (splice) instead of copying them."
    )
    var spliceRequestBodies = true

    @Flag(name: .customLong("demo-backends"), help: "Start an echo backend for every loopback endpoint in the manifests.")
    var demoBackends = false

    @Option(
        name: .customLong("upstream-keepalive-connections"),
        help: "Most idle backend connections kept per event loop, all endpoints together (0: none)."
    )
    var upstreamKeepaliveConnections = ProxyConfiguration().maxIdleUpstreamConnections

    @Option(name: .customLong("threads"), help: "Event-loop threads (default: one per core).")
    var threads: Int?

    @Flag(name: .customLong("kubernetes"), help: "Read objects from the Kubernetes API (not available yet).")
    var kubernetes = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        if kubernetes {
            throw ValidationError("--kubernetes is not available yet; use --manifests")
        }
        guard upstreamKeepaliveConnections >= 0 else {
            throw ValidationError("--upstream-keepalive-connections must be 0 or more, not \(upstreamKeepaliveConnections)")
        }
        let logger = makeLogger(level: logLevel)
        var options = routing.options
        options.useForwardedHeaders = useForwardedHeaders
        // Default ports that are taken (a second instance) only disable that listener; explicit ones must bind.
        let proxy = ProxyConfiguration(
            bindAddress: bind,
            httpPort: httpPort,
            httpsPort: httpsPort ?? 8443,
            httpsPortRequired: httpsPort != nil,
            maxIdleUpstreamConnections: upstreamKeepaliveConnections,
            useForwardedHeaders: useForwardedHeaders,
            spliceRequestBodies: spliceRequestBodies
        )
        let configuration = GatehouseConfiguration(
            manifestPaths: routing.manifests,
            routing: options,
            proxy: proxy,
            adminPort: adminPort ?? 10254,
            adminPortRequired: adminPort != nil,
            demoBackends: demoBackends,
            threads: threads
        )
        try await GatehouseApp(configuration: configuration, logger: logger).run()
    }
}

/// `gatehouse echo`: a small backend answering with JSON describing what it received.
struct Echo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run an echo backend (demos and tests).")

    @Option(help: "The port to listen on.")
    var port: Int

    @Option(help: "The name the backend reports.")
    var name = "echo"

    @Option(name: .customLong("bind"), help: "The address to listen on.")
    var bind = "127.0.0.1"

    func run() async throws {
        let logger = makeLogger(level: "info")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await EchoServer.start(host: bind, port: port, name: name, group: group)
        logger.info("echo backend listening", metadata: ["name": "\(name)", "address": "\(bind):\(server.localPort)"])
        await waitForTermination()
        try await server.stop()
        try await group.shutdownGracefully()
    }
}

/// A logger writing to standard error at `level`.
func makeLogger(level: String) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = Logger.Level(rawValue: level) ?? .info
        return handler
    }
    return Logger(label: "gatehouse")
}

/// Waits for SIGINT or SIGTERM.
func waitForTermination() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    let terminate = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = OnceFlag()
        let resume: @Sendable () -> Void = { if once.claim() { continuation.resume() } }
        interrupt.setEventHandler(handler: resume)
        terminate.setEventHandler(handler: resume)
        interrupt.resume()
        terminate.resume()
    }
}

/// A flag that can be claimed exactly once across threads.
final class OnceFlag: Sendable {
    private let claimed = Mutex(false)

    /// True the first time only.
    func claim() -> Bool {
        claimed.withLock { value in
            defer { value = true }
            return !value
        }
    }
}
