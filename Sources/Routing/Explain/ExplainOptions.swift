/// What `gatehouse explain` needs besides the objects: the routing options, the listener ports and who the
/// controller's Pods are.
public struct ExplainOptions: Hashable, Sendable {
    /// The routing options (classes served).
    public var routing: RoutingOptions
    /// The controller's Pods, when known (flags or its Deployment).
    public var controller: ControllerIdentity?
    /// The plain HTTP listener's port (`--http-port`).
    public var httpPort: Int
    /// The HTTPS listener's port (`--https-port`).
    public var httpsPort: Int

    /// Creates options; the ports default to `serve`'s.
    public init(routing: RoutingOptions, controller: ControllerIdentity? = nil, httpPort: Int = 8080, httpsPort: Int = 8443) {
        self.routing = routing
        self.controller = controller
        self.httpPort = httpPort
        self.httpsPort = httpsPort
    }
}
