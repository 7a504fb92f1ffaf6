import Foundation
import Synchronization
import Testing

@testable import Gatehouse

#if canImport(Glibc)
    import Glibc
#endif

extension LiveProxyTests {
    /// Large Content-Length request bodies spliced from the client's socket into the backend's through the event
    /// loop's pipe (``SplicePipe``): intact, stopping exactly at the body's end, and leaving the pipe empty for the
    /// next body when either side fails in the middle.
    @Suite struct ProxySpliceLiveTests {
        /// Every path → the echo `web`, with no body size limit; `/closing/` → a backend that drops its connections
        /// after reading a little.
        static func files(closingPort: Int? = nil) -> ([String: Int]) -> [String: [TestObject]] {
            { ports in
                var objects: [TestObject] = [
                    .service("web", ports: [ports["web"]!]),
                    .ingress("all", host: nil, annotations: ["proxy-body-size": "0"], [TestPath("/", to: "web")]),
                ]
                if let closingPort {
                    objects += [
                        .service("closing", ports: [closingPort]),
                        .ingress(
                            "closing", host: nil, annotations: ["proxy-body-size": "0"], [TestPath("/closing/", to: "closing")]),
                    ]
                }
                return ["all.yaml": objects]
            }
        }

        /// The spliced byte count the proxy reports.
        static let splicedMetric = "gatehouse_request_body_bytes_spliced_total"

        /// Uploads `body` once on each of two new connections (the proxy's two event loops take them in turn, so
        /// both loops' pipes are used) and checks that the echo got every byte.
        static func uploadTwiceIntact(_ proxy: LiveProxy, _ body: [UInt8], file: URL) async throws {
            for attempt in 1...2 {
                let report = try await proxy.echo("/after/\(attempt)", ["--data-binary", "@" + file.path])
                #expect(report.bodyBytes == body.count, "upload \(attempt)")
                #expect(report.bodyFNV1a64 == ProxyBodyLiveTests.fnv(body), "upload \(attempt)")
            }
        }

        @Test(arguments: [true, false])
        func largeBodiesArriveIntactOnOneKeptAliveConnection(splice: Bool) async throws {
            let body = ProxyBodyLiveTests.sample(3 * 1024 * 1024 + 7)
            let (file, directory) = try ProxyBodyLiveTests.uploadFile(body)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await LiveProxy.run(echoes: ["web"], configure: { $0.spliceRequestBodies = splice }, files: Self.files()) { proxy in
                // curl sends the body to every URL, over one connection.
                let reply = try await proxy.curl(["/one", "/two", "/three"], ["--data-binary", "@" + file.path])
                #expect(reply.exitCode == 0)
                #expect(reply.finals.map(\.status) == [200, 200, 200])
                for (index, bytes) in reply.bodies.enumerated() {
                    let report = try JSONDecoder().decode(EchoReport.self, from: Data(bytes))
                    #expect(report.bodyBytes == body.count, "upload \(index)")
                    #expect(report.bodyFNV1a64 == ProxyBodyLiveTests.fnv(body), "upload \(index)")
                    #expect(report.headers["content-length"] == String(body.count))
                }
                #expect(proxy.metric("gatehouse_connections_opened_total") == 1)
                let spliced = proxy.metric(Self.splicedMetric)
                if splice {
                    // The first read of each request goes through the parser; the rest of the body is spliced.
                    #expect(spliced > body.count * 3 / 2, "\(spliced) bytes spliced")
                    #expect(spliced <= body.count * 3)
                } else {
                    #expect(spliced == 0)
                }
            }
        }

        @Test func aPipelinedRequestAfterASplicedBodyIsParsed() async throws {
            try await LiveProxy.run(echoes: ["web"], files: Self.files()) { proxy in
                let body = String(repeating: "p", count: 1024 * 1024)
                let request =
                    "POST /first HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    + "GET /second HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                let reply = try await RawClient.exchange(port: proxy.port, request, deadline: .seconds(20))
                let responses = reply.responses
                #expect(responses.map(\.status) == [200, 200])
                #expect(reply.closedByServer)
                guard responses.count == 2 else { return }
                let first = try JSONDecoder().decode(EchoReport.self, from: Data(responses[0].body))
                let second = try JSONDecoder().decode(EchoReport.self, from: Data(responses[1].body))
                #expect(first.path == "/first")
                #expect(first.bodyBytes == body.utf8.count)
                #expect(second.method == "GET")
                #expect(second.path == "/second")
                #expect(second.bodyBytes == 0)
                // The body went by the pipe, and the splice stopped at its last byte: the GET behind it was parsed.
                #expect(proxy.metric(Self.splicedMetric) > 0)
            }
        }

        @Test func aBackendDroppingTheConnectionMidBodyLeavesThePipeClean() async throws {
            let closing = try DroppingBackend(readBeforeClosing: 256 * 1024)
            defer { closing.stop() }
            let body = ProxyBodyLiveTests.sample(4 * 1024 * 1024 + 3)
            let (file, directory) = try ProxyBodyLiveTests.uploadFile(body)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await LiveProxy.run(echoes: ["web"], files: Self.files(closingPort: closing.port)) { proxy in
                for attempt in 1...2 {
                    let reply = try await proxy.curl(["/closing/\(attempt)"], ["--data-binary", "@" + file.path], keepBodies: false)
                    // The proxy answers 502 (the body can not be sent again), or the client sees the connection cut
                    // while it still sends: never a success.
                    #expect(reply.last?.status != 200, "attempt \(attempt): \(reply.last?.status ?? 0)")
                }
                #expect(closing.accepted >= 2)
                let before = proxy.metric(Self.splicedMetric)
                try await Self.uploadTwiceIntact(proxy, body, file: file)
                #expect(proxy.metric(Self.splicedMetric) > before)
            }
        }

        @Test func aClientLeavingMidBodyLeavesThePipeClean() async throws {
            let body = ProxyBodyLiveTests.sample(2 * 1024 * 1024 + 5)
            let (file, directory) = try ProxyBodyLiveTests.uploadFile(body)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await LiveProxy.run(echoes: ["web"], files: Self.files()) { proxy in
                // Two clients (one per event loop) announce 8 MiB, send 1 MiB and shut their side: the body can never
                // be complete, so the proxy answers 400 and closes at once (not after the body timeout).
                for _ in 1...2 {
                    let head = Array("POST /cut HTTP/1.1\r\nHost: h\r\nContent-Length: \(8 * 1024 * 1024)\r\n\r\n".utf8)
                    let reply = try await RawClient.exchange(
                        port: proxy.port, pieces: [head, [UInt8](repeating: 0x63, count: 1024 * 1024)], halfClose: true,
                        deadline: .seconds(10))
                    #expect(reply.responses.map(\.status) == [400])
                    #expect(reply.closedByServer)
                }
                #expect(proxy.metric(Self.splicedMetric) > 0)
                let before = proxy.metric(Self.splicedMetric)
                try await Self.uploadTwiceIntact(proxy, body, file: file)
                #expect(proxy.metric(Self.splicedMetric) > before)
            }
        }
    }
}

/// A backend that reads a request's first bytes and then closes the connection with the rest unread (the
/// kernel resets it), on a thread of its own. Stopped by ``stop()``.
final class DroppingBackend: Sendable {
    /// Its port on 127.0.0.1.
    let port: Int
    private let listener: Int32
    private let acceptedCount = AcceptCount()

    /// Connections accepted so far, shared with the accepting thread.
    private final class AcceptCount: Sendable {
        let value = Mutex(0)
    }

    /// Connections accepted so far.
    var accepted: Int { acceptedCount.value.withLock { $0 } }

    /// Listens on an ephemeral port; each connection is closed after `readBeforeClosing` bytes arrived.
    init(readBeforeClosing: Int) throws {
        let (fd, port) = try StalledListener.listenOnLoopback()
        listener = fd
        self.port = port
        let count = acceptedCount
        Thread {
            var scratch = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }  // the listener was closed
                count.value.withLock { $0 += 1 }
                var read = 0
                while read < readBeforeClosing {
                    let n = recv(connection, &scratch, scratch.count, 0)
                    guard n > 0 else { break }
                    read += n
                }
                Glibc.close(connection)
            }
        }.start()
    }

    /// Stops accepting (the thread's `accept` fails and it ends).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }
}
