import Testing

/// The live proxy suites (real sockets on 127.0.0.1, one in-process Gatehouse per test). They run one test at a
/// time: several assert timing (a timeout fires before the backend answers, a drain finishes promptly) or measure
/// this process's memory, which concurrent proxies on two cores would distort.
@Suite(.serialized) enum LiveProxyTests {}
