import Foundation
import Testing

/// Malformed HTTP/2 requests (RFC 9113 §8.2, §8.3) through the real binary, sent by python `h2` with its own checks
/// off (`h2_malformed_client.py`): every one is refused with RST_STREAM PROTOCOL_ERROR on its stream, none reaches the
/// backend (an HTTP/2 field carrying CR or LF would otherwise become extra HTTP/1.1 lines towards it), and the
/// connection goes on serving the next request. Well-formed requests beside them (`te: trailers`, a body with
/// trailers, cookie crumbs in separate fields, joined into one line for the backend) are answered.
@Suite(.serialized)
struct HTTP2MalformedRequestTests {
    /// How the client reaches the proxy.
    enum Transport: String, CaseIterable, CustomTestStringConvertible {
        case h2c, tls
        var testDescription: String { rawValue }
    }

    /// The cases the client sends that must be answered.
    static let wellFormed = ["valid", "te-trailers", "body-and-trailers", "split-cookie", "content-length-exact"]

    @Test(
        "each malformed header block resets its own stream with PROTOCOL_ERROR; the connection keeps serving", arguments: Transport.allCases
    )
    func malformedRequestsAreReset(transport: Transport) async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let (port, authority, tls): (Int, String, [String]) =
            switch transport {
            case .h2c: (scenario.gatehouse.httpPort, "plain.example.test", [])
            case .tls: (scenario.gatehouse.httpsPort, EchoScenario.host, ["--tls", scenario.certificate.certificateFile.path])
            }
        let client = try ChildProcess(
            ProtocolFixtures.python,
            [ProtocolFixtures.path("h2_malformed_client.py"), "--port", String(port), "--authority", authority] + tls
        )
        let status = try await client.waitForExit(timeout: .seconds(240))
        #expect(status == 0, "\(client.output) \(client.errors.suffix(2000))")

        var outcomes: [String: String] = [:]
        for line in client.lines(startingWith: "case ") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { outcomes[parts[0]] = parts[1] }
        }
        #expect(outcomes.count == 77, "every case and its follow-up printed a line: \(client.output)")
        // Cookie crumbs sent as separate HTTP/2 fields reach the HTTP/1.1 backend as one line joined with "; ".
        #expect(client.lines(startingWith: "cookie ") == ["a=1; b=2"], "\(client.output)")
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            if Self.wellFormed.contains(name) || name.hasSuffix("-after") {
                #expect(outcome == "status 200", "\(name): \(outcome)")
            } else if name == "empty-name" {
                // The HPACK decoder refuses an empty name before any header check: a connection error
                // (GOAWAY COMPRESSION_ERROR); the follow-up request then goes on a new connection.
                #expect(outcome == "goaway 9", "\(name): \(outcome)")
            } else {
                #expect(outcome == "reset 1", "\(name) is refused on its own stream with PROTOCOL_ERROR: \(outcome)")
            }
        }
        #expect(scenario.gatehouse.process.isRunning)
    }

    @Test("a connection error (DATA on stream 0) gets GOAWAY PROTOCOL_ERROR and the connection closes; others go on")
    func connectionErrorClosesTheConnection() async throws {
        let scenario = try await EchoScenario.start()
        defer { scenario.stop() }
        let connection = try RawConnection(port: scenario.gatehouse.httpPort)
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        let settings: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 0, 0]
        // RFC 9113 §6.1: DATA must name a stream; on stream 0 it is a connection error of type PROTOCOL_ERROR.
        let dataOnStreamZero: [UInt8] = [0, 0, 1, 0, 0, 0, 0, 0, 0, UInt8(ascii: "x")]
        #expect(connection.send(preface + settings + dataOnStreamZero))
        let (bytes, ending) = await connection.readToEnd(timeout: .seconds(10))
        #expect(ending == .closed, "the proxy must close the connection after its GOAWAY (RFC 9113 §5.4.1)")
        var frames: [(type: UInt8, payload: ArraySlice<UInt8>)] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let end = min(bytes.count, offset + 9 + length)
            frames.append((bytes[offset + 3], bytes[(offset + 9)..<end]))
            offset += 9 + length
        }
        let goAway = frames.first { $0.type == 7 }
        #expect(goAway != nil, "frames received: \(frames.map(\.type))")
        if let payload = goAway?.payload, payload.count >= 8 {
            let code = payload.dropFirst(4).prefix(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(code == 1, "GOAWAY carries PROTOCOL_ERROR")
        }
        let next = try await scenario.curl([
            "--http2-prior-knowledge", "-H", "Host: plain.example.test", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:\(scenario.gatehouse.httpPort)/after",
        ])
        #expect(next.output == "200", "\(next.output) \(next.errors)")
    }
}
