extension Duration {
    /// The duration in whole milliseconds (rounded down), for `poll(2)` timeouts and logs.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
