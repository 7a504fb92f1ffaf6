/// Why the engine could not answer a query.
public enum PolicyQueryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The query names a Pod that is not among the engine's Pods.
    case unknownPod(String)
    /// The port is outside 1...65535.
    case invalidPort(Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .unknownPod(let name): "unknown pod \(name)"
        case .invalidPort(let port): "invalid port \(port): must be between 1 and 65535, inclusive"
        }
    }
}
