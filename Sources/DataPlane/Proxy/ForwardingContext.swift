/// What the proxy knows about the client side of a request, for the forwarding headers.
struct ForwardingContext {
    /// The client's IP address (the TCP peer).
    var clientAddress: String
    /// `http` or `https`.
    var scheme: String
    /// The port the client connected to.
    var listenerPort: Int
    /// Trust and append client-sent `X-Forwarded-*` headers.
    var trustForwardedHeaders: Bool
    /// The request ID to send (the client's, or a new one).
    var requestID: String
}
