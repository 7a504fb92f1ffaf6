import Synchronization

/// Data-plane counters, updated with relaxed atomics on the request path and rendered as Prometheus text.
public final class ProxyMetrics: Sendable {
    /// Responses by status class (1xx … 5xx), including those Gatehouse answers itself.
    private let informational = Atomic<Int>(0)
    private let successful = Atomic<Int>(0)
    private let redirection = Atomic<Int>(0)
    private let clientErrors = Atomic<Int>(0)
    private let serverErrors = Atomic<Int>(0)
    /// Client connections accepted.
    let connectionsOpened = Atomic<Int>(0)
    /// Client connections currently open.
    let connectionsActive = Atomic<Int>(0)
    /// Upstream connections opened.
    let upstreamConnects = Atomic<Int>(0)
    /// Upstream connection attempts that failed.
    let upstreamConnectFailures = Atomic<Int>(0)
    /// Requests sent again to another endpoint.
    let retries = Atomic<Int>(0)
    /// Requests refused as malformed (400, 431, …) before routing.
    let badRequests = Atomic<Int>(0)
    /// Request body bytes moved from client to backend sockets inside the kernel (``SplicePipe``).
    let requestBodyBytesSpliced = Atomic<Int>(0)

    /// Creates zeroed counters.
    public init() {}

    /// Counts one response with `status`.
    func countResponse(_ status: Int) {
        switch status / 100 {
        case 1: informational.wrappingAdd(1, ordering: .relaxed)
        case 2: successful.wrappingAdd(1, ordering: .relaxed)
        case 3: redirection.wrappingAdd(1, ordering: .relaxed)
        case 4: clientErrors.wrappingAdd(1, ordering: .relaxed)
        default: serverErrors.wrappingAdd(1, ordering: .relaxed)
        }
    }

    /// Responses of one status class (1…5).
    public func responseCount(statusClass: Int) -> Int {
        switch statusClass {
        case 1: informational.load(ordering: .relaxed)
        case 2: successful.load(ordering: .relaxed)
        case 3: redirection.load(ordering: .relaxed)
        case 4: clientErrors.load(ordering: .relaxed)
        default: serverErrors.load(ordering: .relaxed)
        }
    }

    /// The counters in Prometheus text exposition format.
    public func prometheusText() -> String {
        var text = "# HELP gatehouse_http_responses_total Responses sent to clients by status class.\n"
        text += "# TYPE gatehouse_http_responses_total counter\n"
        for bucket in 1...5 {
            text += "gatehouse_http_responses_total{status_class=\"\(bucket)xx\"} \(responseCount(statusClass: bucket))\n"
        }
        func counter(_ name: String, _ help: String, _ value: Int, type: String = "counter") {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        counter("gatehouse_connections_opened_total", "Client connections accepted.", connectionsOpened.load(ordering: .relaxed))
        counter("gatehouse_connections_active", "Client connections open now.", connectionsActive.load(ordering: .relaxed), type: "gauge")
        counter("gatehouse_upstream_connects_total", "Upstream connections opened.", upstreamConnects.load(ordering: .relaxed))
        counter(
            "gatehouse_upstream_connect_failures_total", "Upstream connection attempts that failed.",
            upstreamConnectFailures.load(ordering: .relaxed)
        )
        counter("gatehouse_upstream_retries_total", "Requests retried on another endpoint.", retries.load(ordering: .relaxed))
        counter("gatehouse_bad_requests_total", "Malformed requests refused before routing.", badRequests.load(ordering: .relaxed))
        counter(
            "gatehouse_request_body_bytes_spliced_total", "Request body bytes moved from client to backend sockets inside the kernel.",
            requestBodyBytesSpliced.load(ordering: .relaxed)
        )
        return text
    }
}
