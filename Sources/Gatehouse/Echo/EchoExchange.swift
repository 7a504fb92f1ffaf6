import NIOCore
import NIOHTTP1

/// One request as the echo has received it so far: its head, and a running count and checksum of its body.
///
/// The body itself is never kept.
struct EchoExchange: Sendable {
    /// The request head.
    var head: HTTPRequestHead
    /// The echo server's name.
    var serverName: String
    /// The peer's IP address, if any.
    var remoteAddress: String?
    /// The local port of the connection, if any.
    var localPort: Int?
    /// Request body bytes received so far.
    private(set) var bodyBytes = 0
    /// Checksum of the request body received so far.
    private(set) var checksum = FNV1a64()

    /// Starts an exchange for a request head that just arrived.
    init(head: HTTPRequestHead, serverName: String, remoteAddress: String?, localPort: Int?) {
        self.head = head
        self.serverName = serverName
        self.remoteAddress = remoteAddress
        self.localPort = localPort
    }

    /// Counts and checksums one part of the request body.
    mutating func receive(_ body: ByteBuffer) {
        self.bodyBytes += body.readableBytes
        self.checksum.update(body)
    }

    /// Whether the client waits for `100 Continue` before sending the body (`Expect: 100-continue` on HTTP/1.1+).
    var expectsContinue: Bool {
        self.head.version.major == 1 && self.head.version.minor >= 1
            && self.head.headers["expect"].contains { $0.lowercased() == "100-continue" }
    }

    /// The request-target split at the first `?`: the path, and the raw query (`nil` without a `?`).
    var pathAndQuery: (path: String, query: String?) {
        let target = self.head.uri
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// The JSON report of this exchange (meaningful once the whole body has arrived).
    var report: EchoReport {
        var joined: [String: String] = [:]
        var list: [[String]] = []
        list.reserveCapacity(self.head.headers.count)
        for (name, value) in self.head.headers {
            list.append([name, value])
            let key = name.lowercased()
            if let existing = joined[key] {
                joined[key] = existing + ", " + value
            } else {
                joined[key] = value
            }
        }
        let (path, query) = self.pathAndQuery
        return EchoReport(
            name: self.serverName,
            method: self.head.method.rawValue,
            target: self.head.uri,
            path: path,
            query: query,
            host: self.head.headers.first(name: "host"),
            headers: joined,
            headerList: list,
            version: self.head.version.description,
            bodyBytes: self.bodyBytes,
            bodyFNV1a64: self.checksum.hex,
            remoteAddress: self.remoteAddress,
            localPort: self.localPort
        )
    }
}
