import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A connected IPv4 TCP socket of this process, with the options the tests check.
struct ProcessSocket: Sendable, CustomStringConvertible {
    /// The local port.
    let localPort: Int
    /// The peer's port.
    let peerPort: Int
    /// `TCP_NODELAY` (Nagle's algorithm off).
    let noDelay: Bool
    /// `SO_DEBUG`, which nothing here should set.
    let debug: Bool

    var description: String { "\(localPort)→\(peerPort) nodelay \(noDelay) debug \(debug)" }
}

/// The connected IPv4 TCP sockets open in this process (the proxy under test runs in it), read from
/// `/proc/self/fd` with `getsockname`, `getpeername` and `getsockopt`.
enum ProcessSockets {
    /// Every connected IPv4 TCP socket open now. Descriptors closed meanwhile by other tests are skipped.
    static func connected() -> [ProcessSocket] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.compactMap { Int32($0) }.compactMap(socket(_:))
    }

    private static func socket(_ fd: Int32) -> ProcessSocket? {
        guard let local = port(fd, getsockname), let peer = port(fd, getpeername),
            let noDelay = option(fd, Int32(IPPROTO_TCP), TCP_NODELAY), let debug = option(fd, SOL_SOCKET, SO_DEBUG)
        else { return nil }
        return ProcessSocket(localPort: local, peerPort: peer, noDelay: noDelay != 0, debug: debug != 0)
    }

    /// The IPv4 port `call` (getsockname or getpeername) reports for `fd`, or nil for anything else.
    static func port(
        _ fd: Int32,
        _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : nil
    }
}

/// A blocking TCP client on 127.0.0.1 that keeps its connection open after an exchange (so the proxy's sockets for
/// it can be inspected).
struct LoopbackClient {
    private let fd: Int32
    /// The client's own port.
    let localPort: Int

    /// Connects to 127.0.0.1:`port`; reads wait at most 5 s.
    init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = Self.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0, let localPort = ProcessSockets.port(fd, getsockname) else {
            Glibc.close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        self.fd = fd
        self.localPort = localPort
    }

    /// The IPv4 address 127.0.0.1:`port`.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Sends `request` and returns what arrived up to the end of the response head (the connection stays open).
    func exchange(_ request: String) throws -> String {
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw POSIXError(.EIO) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { throw POSIXError(.ETIMEDOUT) }
            received += chunk[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Closes the connection.
    func close() { Glibc.close(fd) }
}
