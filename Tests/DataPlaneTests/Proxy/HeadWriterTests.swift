import NIOCore
import Testing

@testable import DataPlane

/// The upstream request head and the client response head: their bytes, and the bound their memory is reserved at.
@Suite struct HeadWriterTests {
    /// Parses one head with `parser`.
    private static func parse(_ text: String, with parser: inout some HTTP1TestParser) throws -> HTTP1Head {
        var buffer = ByteBuffer(string: text)
        let event = parser.next(&buffer)
        guard case .head(let head) = event else {
            Issue.record("expected a head, got \(event)")
            throw CancellationError()
        }
        return head
    }

    private static func request(_ text: String) throws -> HTTP1Head {
        var parser = HTTP1RequestParser()
        return try parse(text, with: &parser)
    }

    private static func response(_ text: String) throws -> HTTP1Head {
        var parser = HTTP1ResponseParser()
        return try parse(text, with: &parser)
    }

    private static let forwarding = ForwardingContext(
        clientAddress: "127.0.0.1", scheme: "http", listenerPort: 8080, trustForwardedHeaders: false)

    @Test("the upstream request head: hop-by-hop fields dropped, forwarding lines added, framing rewritten")
    func requestBytes() throws {
        var none: ByteBuffer? = nil
        let head = try Self.request(
            "POST /a?b HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\nConnection: keep-alive\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "Content-Length: 3\r\nUser-Agent: t\r\n\r\n")
        let bytes = RequestHeadWriter.make(
            head, target: "/rewritten", framing: .contentLength(3), requestID: .generated(0xab, 0x1234_5678_9abc_def0),
            forwarding: Self.forwarding, reusing: &none)
        #expect(
            String(buffer: bytes)
                == "POST /rewritten HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\nUser-Agent: t\r\n"
                + "X-Request-ID: 00000000000000ab123456789abcdef0\r\nX-Forwarded-Host: shop.example\r\n"
                + "X-Real-IP: 127.0.0.1\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Port: 8080\r\nX-Forwarded-Proto: http\r\n"
                + "X-Forwarded-Scheme: http\r\nX-Scheme: http\r\nContent-Length: 3\r\n\r\n")
    }

    /// The address of a buffer's memory.
    private static func memory(_ buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withVeryUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("a head written into a buffer no longer needed reuses its memory, and leaves a buffer still held untouched")
    func headsReuseMemory() throws {
        var none: ByteBuffer? = nil
        let request = try Self.request("GET /a HTTP/1.1\r\nHost: shop.example\r\n\r\n")
        let expectedRequest = String(
            buffer: RequestHeadWriter.make(
                request, target: nil, framing: .none, requestID: .generated(1, 2), forwarding: Self.forwarding, reusing: &none))
        // Larger than a new head buffer would be, so that reuse shows in the capacity (an address alone would not
        // tell: malloc may hand a freed block out again).
        var spare: ByteBuffer? = ByteBuffer(string: String(repeating: "x", count: 3000))
        let spareMemory = try #require(spare.map(Self.memory))
        let spareCapacity = try #require(spare?.capacity)
        let written = RequestHeadWriter.make(
            request, target: nil, framing: .none, requestID: .generated(1, 2), forwarding: Self.forwarding, reusing: &spare)
        #expect(spare == nil)
        #expect(String(buffer: written) == expectedRequest)
        #expect(Self.memory(written) == spareMemory)
        #expect(written.capacity == spareCapacity)

        // A buffer that is still held elsewhere keeps its bytes; the head gets memory of its own.
        let held = ByteBuffer(string: "still in use")
        spare = held
        let again = RequestHeadWriter.make(
            request, target: nil, framing: .none, requestID: .generated(1, 2), forwarding: Self.forwarding, reusing: &spare)
        #expect(String(buffer: again) == expectedRequest)
        #expect(String(buffer: held) == "still in use")
        #expect(Self.memory(again) != Self.memory(held))

        let response = try Self.response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        let date = ByteBuffer(string: "Fri, 27 Nov 2026 08:00:00 GMT")
        let expectedResponse = String(
            buffer: ResponseHeadWriter.make(response, framing: .asIs, connection: .none, date: date, reusing: &none))
        var old: ByteBuffer? = ResponseHeadWriter.make(
            response, framing: .asIs, connection: .close, date: date, extraCapacity: 3000, reusing: &none)
        let oldMemory = try #require(old.map(Self.memory))
        let oldCapacity = try #require(old?.capacity)
        let reused = ResponseHeadWriter.make(response, framing: .asIs, connection: .none, date: date, extraCapacity: 2, reusing: &old)
        #expect(old == nil)
        #expect(String(buffer: reused) == expectedResponse)
        #expect(Self.memory(reused) == oldMemory)
        #expect(reused.capacity == oldCapacity)
        #expect(reused.writableBytes >= 2)
    }

    @Test("the client response head: status line as received, Date and Server added, chunked framing and Connection")
    func responseBytes() throws {
        var none: ByteBuffer? = nil
        let head = try Self.response("HTTP/1.1 200\r\nA:b\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n")
        let bytes = ResponseHeadWriter.make(
            head, framing: .chunked, connection: .keepAlive, date: ByteBuffer(string: "Fri, 27 Nov 2026 08:00:00 GMT"),
            extraCapacity: 100, reusing: &none)
        #expect(
            String(buffer: bytes)
                == "HTTP/1.1 200 OK\r\nA:b\r\nDate: Fri, 27 Nov 2026 08:00:00 GMT\r\nServer: gatehouse\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
        #expect(bytes.writableBytes >= 100)
    }

    /// Request heads that make the output as large as it gets next to the input: the shortest field lines, a
    /// Host without a space sent twice, the client's request ID, long rewritten targets, upgrades and bodies.
    static let densestRequests: [String] = [
        "GET / HTTP/1.1\r\nHost:h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost:h\r\n" + String(repeating: "a:b\r\n", count: 50) + "\r\n",
        "GET / HTTP/1.1\r\nHost:" + String(repeating: "h", count: 300) + "\r\nX-Request-ID:" + String(repeating: "i", count: 200)
            + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost:h\r\nX-Forwarded-For:1.2.3.4\r\nX-Forwarded-Proto:" + String(repeating: "p", count: 100)
            + "\r\nX-Forwarded-Port:1\r\nX-Forwarded-Host:" + String(repeating: "f", count: 100) + "\r\n\r\n",
        "GET /chat HTTP/1.1\r\nHost:h\r\nUpgrade:websocket\r\nConnection:upgrade\r\n\r\n",
        "PUT /x HTTP/1.1\r\nHost:h\r\nTransfer-Encoding:chunked\r\n\r\n",
        "PUT /x HTTP/1.0\r\nHost:h\r\nContent-Length:123456789\r\n\r\n",
    ]

    @Test("the reserved memory holds every upstream head, trusted forwarding headers or not", arguments: densestRequests)
    func requestBound(text: String) throws {
        var none: ByteBuffer? = nil
        let head = try Self.request(text)
        let requestID: RequestID = head.firstIndex(of: .xRequestID).map { .client($0) } ?? .generated(1, 2)
        let framing: RequestHeadWriter.BodyFraming =
            switch head.bodyFraming {
            case .contentLength(let length): .contentLength(length)
            case .chunked: .chunked
            default: .none
            }
        for trusted in [false, true] {
            let forwarding = ForwardingContext(
                clientAddress: "2001:db8::1", scheme: "https", listenerPort: 65535, trustForwardedHeaders: trusted)
            for target in [nil, "/", String(repeating: "t", count: 500)] {
                let written = RequestHeadWriter.make(
                    head, target: target, framing: framing, upgrade: head.upgradeIndex != nil, requestID: requestID,
                    forwarding: forwarding, reusing: &none
                ).readableBytes
                let bound = RequestHeadWriter.maximumByteCount(head, target: target, forwarding: forwarding)
                #expect(written <= bound, "bound \(bound) < \(written)")
            }
        }
    }

    @Test("request IDs are 32 lowercase hex digits, most significant first")
    func hexDigits() {
        let values: [UInt64] = [0, 1, 9, 10, 15, 0xab, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, .max, 0x8000_0000_0000_0000]
        for high in values {
            for low in values.reversed() {
                var out = ByteBuffer()
                out.writeWithUnsafeMutableBytes(minimumWritableBytes: 32) { memory in
                    var writer = HeadByteWriter(memory)
                    writer.write(hex: high)
                    writer.write(hex: low)
                    return writer.count
                }
                let expected = [high, low].map { String(repeating: "0", count: 16 - String($0, radix: 16).count) + String($0, radix: 16) }
                #expect(String(buffer: out) == expected.joined())
            }
        }
    }

    @Test("client addresses as text: IPv4 formatted by the proxy, the same as inet_ntop; IPv6 by NIO")
    func addressText() throws {
        for text in [
            "0.0.0.0", "127.0.0.1", "1.2.3.4", "10.20.30.40", "100.10.0.9", "99.199.9.200", "255.255.255.255", "::1", "2001:db8::7",
        ] {
            let address = try SocketAddress(ipAddress: text, port: 80)
            #expect(ForwardingContext.text(of: address) == text)
            #expect(ForwardingContext.text(of: address) == address.ipAddress)
        }
    }

    @Test("the fixed forwarding lines of a connection")
    func fixedTail() {
        let context = ForwardingContext(clientAddress: "10.0.0.7", scheme: "https", listenerPort: 8443, trustForwardedHeaders: false)
        #expect(
            String(buffer: context.fixedTail)
                == "X-Real-IP: 10.0.0.7\r\nX-Forwarded-For: 10.0.0.7\r\nX-Forwarded-Port: 8443\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Scheme: https\r\nX-Scheme: https\r\n")
    }

    @Test("a head larger than its bound is written again into more memory, whole")
    func boundTooSmall() throws {
        var none: ByteBuffer? = nil
        let request = try Self.request(
            "GET /" + String(repeating: "a", count: 300) + " HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n")
        let requestID = RequestID.generated(1, 2)
        let expectedRequest = RequestHeadWriter.make(
            request, target: nil, framing: .none, requestID: requestID, forwarding: Self.forwarding, reusing: &none)
        let retriedRequest = RequestHeadWriter.make(
            request, target: nil, framing: .none, requestID: requestID, forwarding: Self.forwarding, bound: 10, reusing: &none)
        #expect(expectedRequest.readableBytes > 4 * 64)
        #expect(retriedRequest == expectedRequest)

        let response = try Self.response("HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "b", count: 300) + "\r\n\r\n")
        let date = ByteBuffer(string: "Fri, 27 Nov 2026 08:00:00 GMT")
        let expectedResponse = ResponseHeadWriter.make(response, framing: .asIs, connection: .keepAlive, date: date, reusing: &none)
        let retriedResponse = ResponseHeadWriter.make(
            response, framing: .asIs, connection: .keepAlive, date: date, extraCapacity: 1000, bound: 10, reusing: &none)
        #expect(expectedResponse.readableBytes > 4 * 64)
        #expect(retriedResponse == expectedResponse)
        #expect(retriedResponse.writableBytes >= 1000)
    }

    /// Response heads as dense as they get: no reason phrase, the shortest field lines, no Date or Server.
    static let densestResponses: [String] = [
        "HTTP/1.1 200\r\n\r\n",
        "HTTP/1.0 599\r\n" + String(repeating: "a:b\r\n", count: 50) + "\r\n",
        "HTTP/1.1 511\r\nConnection:x\r\nx:y\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:5\r\n\r\n",
    ]

    @Test("the reserved memory holds every client response head", arguments: densestResponses)
    func responseBound(text: String) throws {
        var none: ByteBuffer? = nil
        let head = try Self.response(text)
        for framing in [ResponseHeadWriter.BodyFraming.asIs, .chunked, .untilClose] {
            for connection in [ConnectionField.none, .close, .keepAlive] {
                let date = ByteBuffer(string: "Fri, 27 Nov 2026 08:00:00 GMT")
                let written = ResponseHeadWriter.make(head, framing: framing, connection: connection, date: date, reusing: &none)
                    .readableBytes
                let bound = ResponseHeadWriter.maximumByteCount(head, date: date)
                #expect(written <= bound, "bound \(bound) < \(written)")
            }
        }
    }
}
