import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to 127.0.0.1 for sending bytes no well-behaved client would (garbage, broken TLS
/// hellos) and seeing how the server ends the connection.
final class RawConnection: @unchecked Sendable {
    // Safety: used by one test at a time; the blocking read runs on its own thread while the test awaits it.
    private let descriptor: Int32

    /// How a read ended.
    enum Ending: Equatable {
        /// The server closed the connection (EOF).
        case closed
        /// The server reset the connection.
        case reset
        /// The deadline passed with the connection still open.
        case stillOpen
    }

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: error) ?? .ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends `bytes` (all of them, unless the server has closed; returns false then).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Shuts down the sending side (the server reads EOF).
    func finishSending() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads until the server ends the connection or `timeout` passes; returns what arrived and how it ended.
    /// The blocking reads run on a thread of their own, not on the test's executor.
    func readToEnd(timeout: Duration) async -> (bytes: [UInt8], ending: Ending) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.blockingReadToEnd(timeout: timeout)) }.start()
        }
    }

    /// Waits (bounded) until some bytes arrive and returns them (empty when none came or the server closed).
    func readSome(timeout: Duration) async -> [UInt8] {
        await withCheckedContinuation { continuation in
            Thread {
                let clock = ContinuousClock()
                let deadline = clock.now + timeout
                var chunk = [UInt8](repeating: 0, count: 16384)
                while clock.now < deadline {
                    let count = chunk.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
                    if count > 0 { return continuation.resume(returning: Array(chunk[0..<count])) }
                    if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { break }
                }
                continuation.resume(returning: [])
            }.start()
        }
    }

    private func blockingReadToEnd(timeout: Duration) -> (bytes: [UInt8], ending: Ending) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while clock.now < deadline {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk[0..<count]
            } else if count == 0 {
                return (received, .closed)
            } else if errno == ECONNRESET {
                return (received, .reset)
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                return (received, .reset)
            }
        }
        return (received, .stillOpen)
    }

    deinit { close(descriptor) }
}

/// TLS ClientHello messages built byte by byte, for the bad-input tests.
enum ClientHello {
    /// A TLS 1.2 ClientHello (with the usual extensions) naming `serverName`, as one or more TLS records.
    static func bytes(serverName: String) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03]  // client_version TLS 1.2
        body += (0..<32).map { UInt8($0) }  // random
        body += [0x00]  // session id
        let suites: [UInt16] = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8]
        body += u16(suites.count * 2) + suites.flatMap { u16(Int($0)) }
        body += [0x01, 0x00]  // compression: null
        var extensions: [UInt8] = []
        let name = Array(serverName.utf8)
        let entry: [UInt8] = [0x00] + u16(name.count) + name
        extensions += u16(0x0000) + u16(entry.count + 2) + u16(entry.count) + entry  // server_name
        extensions += u16(0x000a) + u16(6) + u16(4) + u16(0x001d) + u16(0x0017)  // supported_groups
        extensions += u16(0x000b) + u16(2) + [0x01, 0x00]  // ec_point_formats
        let algorithms: [UInt16] = [0x0403, 0x0804, 0x0401]
        extensions += u16(0x000d) + u16(algorithms.count * 2 + 2) + u16(algorithms.count * 2) + algorithms.flatMap { u16(Int($0)) }
        body += u16(extensions.count) + extensions
        let handshake: [UInt8] = [0x01] + u24(body.count) + body
        var records: [UInt8] = []
        var offset = 0
        while offset < handshake.count {
            let piece = handshake[offset..<min(handshake.count, offset + 16384)]
            records += [0x16, 0x03, 0x01] + u16(piece.count) + piece
            offset += piece.count
        }
        return records
    }

    private static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    private static func u24(_ value: Int) -> [UInt8] { [UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
}
