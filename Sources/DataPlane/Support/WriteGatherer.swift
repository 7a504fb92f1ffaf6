import NIOCore

/// Gathers small writes into one buffer until they are handed on together: each write through a pipeline (and, over
/// TLS, each record) costs about as much as copying a few kilobytes. Used for a client connection's HTTP/1.1 output
/// and under the HTTP/2 handler.
struct WriteGatherer {
    /// The largest write that is gathered; larger ones go on as they are.
    let pieceLimit: Int
    /// The most the gathered buffer holds.
    let limit: Int
    /// The capacity of a buffer the first piece is copied into; 0 adopts the first piece's own buffer instead (its
    /// spare capacity then takes what follows, as a response head's room for a short body does).
    let firstCapacity: Int
    /// What was gathered so far.
    private var gathered: ByteBuffer?

    init(pieceLimit: Int, limit: Int, firstCapacity: Int = 0) {
        self.pieceLimit = pieceLimit
        self.limit = limit
        self.firstCapacity = firstCapacity
    }

    /// Whether nothing is gathered.
    var isEmpty: Bool { gathered == nil }

    /// Adds `bytes` to what is gathered. False when they are too large or do not fit: the caller then hands on
    /// ``take()`` and `bytes` itself, in that order.
    mutating func gather(_ bytes: ByteBuffer) -> Bool {
        let count = bytes.readableBytes
        guard count <= pieceLimit else { return false }
        guard let gatheredCount = gathered?.readableBytes else {
            if firstCapacity == 0 {
                gathered = bytes
            } else {
                var first = ByteBufferAllocator().buffer(capacity: max(firstCapacity, count))
                first.writeImmutableBuffer(bytes)
                gathered = first
            }
            return true
        }
        guard gatheredCount + count <= limit else { return false }
        gathered?.writeImmutableBuffer(bytes)
        return true
    }

    /// What was gathered, which is then empty.
    mutating func take() -> ByteBuffer? {
        defer { gathered = nil }
        return gathered
    }
}
