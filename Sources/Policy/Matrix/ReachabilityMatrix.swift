/// Who may reach whom among all Pods on one port and protocol (rows: sources, columns: destinations), with the
/// text grid the Kubernetes e2e network policy tests print: `.` allowed, `X` blocked.
public struct ReachabilityMatrix: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The Pods as `namespace/name`, sorted by namespace then name; the order of rows and columns.
    public var pods: [String]
    /// The destination port.
    public var port: Int
    /// The protocol.
    public var `protocol`: PolicyProtocol
    /// `allowed[from][to]`.
    public var allowed: [[Bool]]

    /// Creates a matrix.
    public init(pods: [String], port: Int, protocol: PolicyProtocol, allowed: [[Bool]]) {
        self.pods = pods
        self.port = port
        self.protocol = `protocol`
        self.allowed = allowed
    }

    /// Whether `from` may reach `to` (both `namespace/name`); nil when either is not in the matrix.
    public func isAllowed(from: String, to: String) -> Bool? {
        guard let row = pods.firstIndex(of: from), let column = pods.firstIndex(of: to) else { return nil }
        return allowed[row][column]
    }

    /// The number of blocked pairs.
    public var blockedCount: Int { allowed.reduce(0) { $0 + $1.filter { !$0 }.count } }

    /// The grid: a header row `-` then the Pods, then one row per source with `.` or `X` under each destination;
    /// columns are as wide as the longest name, separated by one space, with no trailing spaces.
    public var description: String {
        let width = max(1, pods.map(\.count).max() ?? 1)
        func line(_ cells: [String]) -> String {
            var text = cells.map { $0 + String(repeating: " ", count: max(0, width - $0.count)) }.joined(separator: " ")
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = [line(["-"] + pods)]
        for (index, row) in allowed.enumerated() {
            lines.append(line([pods[index]] + row.map { $0 ? "." : "X" }))
        }
        return lines.joined(separator: "\n")
    }
}
