import NIOCore

/// What the proxy knows about the client side of a connection, for the forwarding headers. Built once per
/// connection: when client-sent forwarding headers are not trusted, the tail of every upstream head
/// (`X-Real-IP` … `X-Scheme`) is the same for every request and is kept as ready bytes.
struct ForwardingContext {
    /// The client's IP address (the TCP peer).
    let clientAddress: String
    /// `http` or `https`.
    let scheme: String
    /// The port the client connected to.
    let listenerPort: Int
    /// Trust and append client-sent `X-Forwarded-*` headers.
    let trustForwardedHeaders: Bool
    /// `X-Real-IP`, `X-Forwarded-For`, `-Port`, `-Proto`, `-Scheme` and `X-Scheme` lines for untrusted requests
    /// (`X-Forwarded-Host` comes before them, from each request's Host).
    let fixedTail: ByteBuffer

    init(clientAddress: String, scheme: String, listenerPort: Int, trustForwardedHeaders: Bool) {
        self.clientAddress = clientAddress
        self.scheme = scheme
        self.listenerPort = listenerPort
        self.trustForwardedHeaders = trustForwardedHeaders
        var tail = ByteBuffer()
        tail.writeString(
            "X-Real-IP: \(clientAddress)\r\nX-Forwarded-For: \(clientAddress)\r\nX-Forwarded-Port: \(listenerPort)\r\n"
                + "X-Forwarded-Proto: \(scheme)\r\nX-Forwarded-Scheme: \(scheme)\r\nX-Scheme: \(scheme)\r\n"
        )
        fixedTail = tail
    }

    /// A placeholder until a connection's context is known.
    static let unknown = ForwardingContext(clientAddress: "unknown", scheme: "http", listenerPort: 0, trustForwardedHeaders: false)

    /// The context of the connection `channel` (its TCP peer and local port), for `scheme`.
    init(channel: any Channel, scheme: String, trustForwardedHeaders: Bool) {
        self.init(
            clientAddress: channel.remoteAddress?.ipAddress ?? "unknown",
            scheme: scheme,
            listenerPort: channel.localAddress?.port ?? 0,
            trustForwardedHeaders: trustForwardedHeaders
        )
    }
}

/// The `X-Request-ID` to send: the client's (kept as received) or a new random one.
enum RequestID {
    /// The client's header, by field index.
    case client(Int)
    /// A new ID: 128 random bits, written as 32 lowercase hex digits.
    case generated(UInt64, UInt64)

    /// Writes the ID's value.
    func write(from head: HTTP1Head, into out: inout ByteBuffer) {
        switch self {
        case .client(let index):
            RequestHeadWriter.copyValue(head, index, into: &out)
        case .generated(let high, let low):
            Self.writeHex(high, into: &out)
            Self.writeHex(low, into: &out)
        }
    }

    /// Writes 16 lowercase hex digits.
    static func writeHex(_ value: UInt64, into out: inout ByteBuffer) {
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: 16) { buffer in
            var word = value
            for index in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: word & 0xF)
                buffer[15 - index] = digit < 10 ? digit &+ 48 : digit &+ 87
                word >>= 4
            }
            return 16
        }
    }
}
