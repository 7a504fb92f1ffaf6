/// Data-plane settings: listener, limits and timeouts. Defaults follow ingress-nginx.
public struct ProxyConfiguration: Sendable, Hashable {
    /// The address listeners bind to.
    public var bindAddress: String
    /// The plain HTTP port (0 picks a free port).
    public var httpPort: Int
    /// The HTTPS port (0 picks a free port; nil: no HTTPS listener).
    public var httpsPort: Int?
    /// Whether failing to bind the HTTPS port stops the server (an explicit `--https-port`); otherwise the
    /// server runs without HTTPS and says so.
    public var httpsPortRequired: Bool
    /// The HTTPS port used in redirect locations (the public port, 443 by default in a cluster).
    public var redirectHTTPSPort: Int
    /// Largest request head, in bytes (431 above).
    public var maxHeadBytes: Int
    /// Most header fields in a request head (431 above).
    public var maxHeaderCount: Int
    /// How long a client may take to send a complete request head (`client-header-timeout`).
    public var clientHeaderTimeout: Duration
    /// How long a client may pause while sending a body (`client-body-timeout`).
    public var clientBodyTimeout: Duration
    /// How long an idle keep-alive client connection stays open (`keep-alive`).
    public var keepAliveTimeout: Duration
    /// How long an idle upstream connection stays in the pool (`upstream-keepalive-timeout`).
    public var upstreamIdleTimeout: Duration
    /// Most idle upstream connections kept per event loop, all endpoints together (`upstream-keepalive-connections`,
    /// which ingress-nginx counts per worker). 0 closes every upstream connection after its request. The default is
    /// 1,024, not ingress-nginx's 320: a loop forwards every request one wake-up brings before it reads the
    /// responses, so more backend connections are busy at once than under nginx. With 1,000 keep-alive clients on
    /// one loop, 320 made a new backend connection for 3 requests in 10 (nginx: 1 in 20); 1,024 for none
    /// (`bench/RESULTS.md`).
    public var maxIdleUpstreamConnections: Int
    /// Most requests served on one client connection before it is closed (`keep-alive-requests`).
    public var maxRequestsPerConnection: Int
    /// Trust and append client-sent `X-Forwarded-*` headers (`use-forwarded-headers`).
    public var useForwardedHeaders: Bool
    /// How long a graceful shutdown waits for in-flight requests.
    public var drainTimeout: Duration
    /// Whether large Content-Length request bodies between plain-TCP client and backend connections are spliced
    /// from socket to socket inside the kernel instead of copied through the proxy (see ``SplicePipe``).
    public var spliceRequestBodies: Bool

    /// Creates a configuration with ingress-nginx's defaults.
    public init(
        bindAddress: String = "0.0.0.0",
        httpPort: Int = 8080,
        httpsPort: Int? = 8443,
        httpsPortRequired: Bool = true,
        redirectHTTPSPort: Int? = nil,
        maxHeadBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        clientHeaderTimeout: Duration = .seconds(60),
        clientBodyTimeout: Duration = .seconds(60),
        keepAliveTimeout: Duration = .seconds(75),
        upstreamIdleTimeout: Duration = .seconds(60),
        maxIdleUpstreamConnections: Int = 1024,
        maxRequestsPerConnection: Int = 1000,
        useForwardedHeaders: Bool = false,
        drainTimeout: Duration = .seconds(30),
        spliceRequestBodies: Bool = true
    ) {
        self.bindAddress = bindAddress
        self.httpPort = httpPort
        self.httpsPort = httpsPort
        self.httpsPortRequired = httpsPortRequired
        self.redirectHTTPSPort = redirectHTTPSPort ?? httpsPort ?? 443
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.clientHeaderTimeout = clientHeaderTimeout
        self.clientBodyTimeout = clientBodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.upstreamIdleTimeout = upstreamIdleTimeout
        self.maxIdleUpstreamConnections = maxIdleUpstreamConnections
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.useForwardedHeaders = useForwardedHeaders
        self.drainTimeout = drainTimeout
        self.spliceRequestBodies = spliceRequestBodies
    }
}
