import NIOCore

/// Gathers small writes into one buffer until they are handed on together: each write through a pipeline (and, over
/// TLS, each record) costs about as much as copying a few kilobytes. Used for the HTTP/1.1 output of client and
/// backend connections and under the HTTP/2 handler.
struct WriteGatherer {
    /// The largest piece a connection's HTTP/1.1 output gathers (a head, a short body, chunk framing).
    static let connectionPieceLimit = 4096

    /// A connection's HTTP/1.1 output, to a client or to a backend: pieces up to 4 KiB, 16 KiB in all.
    static func connectionOutput() -> WriteGatherer {
        WriteGatherer(pieceLimit: connectionPieceLimit, limit: 4 * connectionPieceLimit)
    }

    /// The largest write that is gathered; larger ones go on as they are.
    let pieceLimit: Int
    /// The most the gathered buffer holds.
    let limit: Int
    /// The capacity of a buffer the first piece is copied into; 0 adopts the first piece's own buffer instead (its
    /// spare capacity then takes what follows, as a response head's room for a short body does).
    let firstCapacity: Int
    /// What was gathered so far.
    private var gathered: ByteBuffer?
    /// Whether `gathered` is the adopted buffer of a first piece its writer marked reusable.
    private var gatheredIsReusable = false

    init(pieceLimit: Int, limit: Int, firstCapacity: Int = 0) {
        self.pieceLimit = pieceLimit
        self.limit = limit
        self.firstCapacity = firstCapacity
    }

    /// Whether nothing is gathered.
    var isEmpty: Bool { gathered == nil }

    /// Adds `bytes` to what is gathered. False when they are too large or do not fit: the caller then hands on
    /// ``take()`` and `bytes` itself, in that order. `reusable` marks a buffer the caller made and may have back once
    /// it is written (``takeMarked()``), when it is adopted as the first piece.
    mutating func gather(_ bytes: ByteBuffer, reusable: Bool = false) -> Bool {
        let count = bytes.readableBytes
        guard count <= pieceLimit else { return false }
        guard let gatheredCount = gathered?.readableBytes else {
            if firstCapacity == 0 {
                gathered = bytes
                gatheredIsReusable = reusable
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
        takeMarked().gathered
    }

    /// What was gathered, which is then empty, and whether it is a buffer its writer marked reusable (adopted as
    /// the first piece); never a buffer of anyone else's bytes.
    mutating func takeMarked() -> (gathered: ByteBuffer?, reusable: Bool) {
        defer {
            gathered = nil
            gatheredIsReusable = false
        }
        return (gathered, gatheredIsReusable)
    }

    /// Writes `gathered` (what ``take()`` gave) to `context` and flushes it, in one pass down the pipeline
    /// (`writeAndFlush`: a pass costs about 250 instructions before the socket is reached); `promise` completes with
    /// the gathered write. Static, and given what was taken: a gatherer never calls out, since a flush may
    /// synchronously lead to more writes to the same gatherer (a channel turning writable again).
    static func flush(_ gathered: ByteBuffer?, to context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        if let gathered {
            context.writeAndFlush(NIOAny(gathered), promise: promise)
        } else {
            context.flush()
        }
    }
}
