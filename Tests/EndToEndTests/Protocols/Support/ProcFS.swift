import Foundation

/// What Linux's `/proc` tells about a process and the machine's TCP sockets: how the tests see, from outside, that
/// the proxy holds back (a backend's bytes wait in the kernel, not in the proxy's memory) and lets go (no socket is
/// left half-closed).
enum ProcFS {
    /// One TCP socket of `/proc/net/tcp` or `/proc/net/tcp6`.
    struct TCPSocket: Sendable, CustomStringConvertible {
        /// The local port.
        var localPort: Int
        /// The remote port.
        var remotePort: Int
        /// The state, as the kernel numbers it (see ``State``).
        var state: Int
        /// Bytes written but not yet acknowledged by the peer.
        var sendQueue: Int
        /// Bytes received but not yet read by the process.
        var receiveQueue: Int

        /// Kernel TCP state numbers.
        enum State {
            /// `TCP_ESTABLISHED`.
            static let established = 1
            /// `TCP_CLOSE_WAIT`: the peer closed, the process has not.
            static let closeWait = 8
        }

        var description: String {
            "\(localPort)→\(remotePort) state \(state) send-queue \(sendQueue) receive-queue \(receiveQueue)"
        }
    }

    /// The resident set size of process `pid` (`VmRSS` in `/proc/PID/status`), in bytes.
    static func residentBytes(of pid: Int32) throws -> Int {
        let status = try read("/proc/\(pid)/status")
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        throw ToolFailed(command: "read /proc/\(pid)/status", status: 0, errors: "no VmRSS line: \(status)")
    }

    /// The whole text of a `/proc` file, read to its end (`String(contentsOfFile:)` returns only the first 4 KiB of a
    /// long `/proc/net/tcp`).
    static func read(_ path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }

    /// Every TCP socket of the network namespace (IPv4 and IPv6).
    static func tcpSockets() throws -> [TCPSocket] {
        var sockets: [TCPSocket] = []
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let table = try? read(file) else { continue }
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 4,
                    let localPort = fields[1].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                    let remotePort = fields[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                    let state = Int(fields[3], radix: 16)
                else { continue }
                let queues = fields[4].split(separator: ":").compactMap { Int($0, radix: 16) }
                guard queues.count == 2 else { continue }
                sockets.append(
                    TCPSocket(localPort: localPort, remotePort: remotePort, state: state, sendQueue: queues[0], receiveQueue: queues[1]))
            }
        }
        return sockets
    }
}
