import ControlPlane
import DataPlane
import Foundation
import Logging
import NIOCore
import NIOPosix
import Routing
import ServiceLifecycle
import Synchronization
import Testing

@testable import Gatehouse

/// A real Gatehouse on 127.0.0.1: echo backends, manifests in a temporary directory, the file provider polling
/// them, the snapshot publisher and the proxy listener, wired as `gatehouse serve` wires them and run as one
/// service group in this process (so tests can read its metrics and memory).
///
/// Use ``run(echoes:configure:files:_:)``: it starts everything, runs the test body, then shuts down gracefully
/// (bounded) and removes the directory.
final class LiveProxy: Sendable {
    /// The port the proxy listens on.
    let port: Int
    /// The echo backends by name.
    let echoes: [String: EchoServer]
    /// The proxy's counters.
    let metrics: ProxyMetrics
    /// The publisher (the snapshot in use and its issues).
    let publisher: SnapshotPublisher
    /// The manifest directory the provider watches.
    let directory: URL
    private let serviceGroup: ServiceGroup
    private let running: Task<Void, any Error>
    private let stopped = Mutex(false)

    /// How often the file provider polls the manifests in tests.
    static let pollInterval = Duration.milliseconds(25)

    private init(
        port: Int,
        echoes: [String: EchoServer],
        metrics: ProxyMetrics,
        publisher: SnapshotPublisher,
        directory: URL,
        serviceGroup: ServiceGroup,
        running: Task<Void, any Error>
    ) {
        self.port = port
        self.echoes = echoes
        self.metrics = metrics
        self.publisher = publisher
        self.directory = directory
        self.serviceGroup = serviceGroup
        self.running = running
    }

    /// Starts echo backends named `echoes`, writes the manifest files `files` returns (file name → objects; it is
    /// given the echo ports by name), starts the proxy (`configure` adjusts its settings), runs `body`, and stops
    /// everything — also when `body` throws.
    static func run<T>(
        echoes names: [String] = [],
        configure: (inout ProxyConfiguration) -> Void = { _ in },
        files: ([String: Int]) -> [String: [TestObject]],
        _ body: (LiveProxy) async throws -> T
    ) async throws -> T {
        var echoes: [String: EchoServer] = [:]
        let directory = try temporaryDirectory("manifests")
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var proxy: LiveProxy?
        do {
            for name in names {
                echoes[name] = try await EchoServer.start(port: 0, name: name, group: MultiThreadedEventLoopGroup.singleton)
            }
            for (file, objects) in files(echoes.mapValues(\.localPort)) {
                try Data(TestObject.file(objects).utf8).write(to: directory.appendingPathComponent(file))
            }
            var configuration = ProxyConfiguration(bindAddress: "127.0.0.1", httpPort: 0, httpsPort: nil, drainTimeout: .seconds(5))
            configure(&configuration)
            proxy = try await start(echoes: echoes, directory: directory, eventLoops: eventLoops, configuration: configuration)
            let result = try await body(proxy!)
            try await proxy!.shutdown()
            try await cleanUp(echoes: echoes, eventLoops: eventLoops, directory: directory)
            return result
        } catch {
            try? await proxy?.shutdown()
            try? await cleanUp(echoes: echoes, eventLoops: eventLoops, directory: directory)
            throw error
        }
    }

    /// Wires and starts the services; returns once the proxy listens with the first snapshot published.
    private static func start(
        echoes: [String: EchoServer],
        directory: URL,
        eventLoops: MultiThreadedEventLoopGroup,
        configuration: ProxyConfiguration
    ) async throws -> LiveProxy {
        let logger = Logger(label: "gatehouse.live-test") { _ in SwiftLogNoOpLogHandler() }
        let metrics = ProxyMetrics()
        let live = LiveSnapshot(group: eventLoops, configuration: configuration, metrics: metrics)
        let publisher = SnapshotPublisher(options: RoutingOptions(), store: live, logger: logger)
        let provider = FileProvider(paths: [directory.path], publisher: publisher, logger: logger, pollInterval: pollInterval)
        let server = ProxyServer(configuration: configuration, group: eventLoops, live: live, certificates: nil, logger: logger)
        provider.loadInitial()
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: provider), .init(service: server)], logger: logger)
        )
        let running = Task { try await serviceGroup.run() }
        let port = try await withTimeout("the proxy to listen", .seconds(10)) { try await server.boundPort() }
        return LiveProxy(
            port: port,
            echoes: echoes,
            metrics: metrics,
            publisher: publisher,
            directory: directory,
            serviceGroup: serviceGroup,
            running: running
        )
    }

    /// Stops the echo backends and the event loops, and removes the manifest directory.
    private static func cleanUp(echoes: [String: EchoServer], eventLoops: MultiThreadedEventLoopGroup, directory: URL) async throws {
        for echo in echoes.values { try? await echo.stop() }
        try? FileManager.default.removeItem(at: directory)
        try await eventLoops.shutdownGracefully()
    }

    /// Triggers a graceful shutdown (stop accepting, finish requests in flight, close idle upstreams) and waits
    /// for the service group to finish, at most 10 s. Calling it again only waits.
    func shutdown() async throws {
        let first = stopped.withLock { value in
            defer { value = true }
            return !value
        }
        if first { await serviceGroup.triggerGracefulShutdown() }
        let running = self.running
        try await withTimeout("the proxy to shut down", .seconds(10)) { try await running.value }
    }

    // MARK: - Requests

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Runs curl on `paths` of this proxy with `Host: host` (when given) and `arguments`.
    func curl(_ paths: [String], host: String? = nil, _ arguments: [String] = [], keepBodies: Bool = true) async throws -> CurlReply {
        try await Curl.run((host.map { ["-H", "Host: \($0)"] } ?? []) + arguments, urls: paths.map(url), keepBodies: keepBodies)
    }

    /// One GET through curl; returns the final head and the body.
    func get(_ path: String, host: String? = nil, _ arguments: [String] = []) async throws -> (head: CurlHead, body: [UInt8]) {
        let reply = try await curl([path], host: host, arguments)
        guard reply.exitCode == 0, let head = reply.last else {
            throw CurlFailed(exitCode: reply.exitCode, path: path)
        }
        return (head, reply.bodies[0])
    }

    /// One request through curl answered by an echo: the echo's report.
    func echo(_ path: String, host: String? = nil, _ arguments: [String] = []) async throws -> EchoReport {
        let (head, body) = try await get(path, host: host, arguments)
        guard head.status == 200 else { throw CurlFailed(exitCode: 0, path: path, status: head.status) }
        return try JSONDecoder().decode(EchoReport.self, from: Data(body))
    }

    /// Which echo answered a GET of `path` (its `X-Echo-Name`), nil when none did.
    func backendName(_ path: String, host: String? = nil) async throws -> String? {
        try await get(path, host: host).head.header("X-Echo-Name")
    }

    // MARK: - Manifests

    /// Replaces manifest file `name` atomically (written under a hidden name, then renamed), as `kubectl apply`
    /// tooling and editors that save atomically do.
    func write(_ name: String, _ objects: [TestObject]) throws {
        try write(name, text: TestObject.file(objects))
    }

    /// Replaces manifest file `name` with `text` atomically.
    func write(_ name: String, text: String) throws {
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// The version of the snapshot last published.
    var snapshotVersion: Int { publisher.current.version }

    /// Waits until a snapshot newer than `version` is published (the provider noticed a file change).
    func waitForSnapshot(after version: Int) async throws {
        try await waitUntil("a snapshot newer than version \(version)") { snapshotVersion > version }
    }

    /// The current value of a counter or gauge in the proxy's Prometheus text (0 when absent).
    func metric(_ name: String) -> Int {
        for line in metrics.prometheusText().split(separator: "\n") where line.hasPrefix(name + " ") {
            return Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

/// A curl transfer that failed, or answered an unexpected status.
struct CurlFailed: Error, CustomStringConvertible {
    /// curl's exit status.
    var exitCode: Int32
    /// The path requested.
    var path: String
    /// The status received, when curl got one.
    var status: Int?

    var description: String { "curl \(path): exit \(exitCode), status \(status.map(String.init) ?? "none")" }
}
