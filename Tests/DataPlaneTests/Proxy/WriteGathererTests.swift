import NIOCore
import Testing

@testable import DataPlane

/// Small writes gather into one buffer up to the limits; what does not fit is refused, for the caller to hand on.
@Suite struct WriteGathererTests {
    /// Offers each of `pieces` in turn: whether each was gathered.
    private static func offer(_ pieces: [String], to gatherer: inout WriteGatherer) -> [Bool] {
        pieces.map { gatherer.gather(ByteBuffer(string: $0)) }
    }

    @Test func smallPiecesGatherInOrderUntilTaken() {
        var gatherer = WriteGatherer(pieceLimit: 8, limit: 32)
        #expect(gatherer.isEmpty)
        let gathered = Self.offer(["head ", "body"], to: &gatherer)
        #expect(gathered == [true, true])
        #expect(!gatherer.isEmpty)
        let taken = gatherer.take()
        #expect(taken.map { String(buffer: $0) } == "head body")
        #expect(gatherer.isEmpty)
        let again = gatherer.take()
        #expect(again == nil)
    }

    @Test func aPieceOverThePieceLimitOrPastTheLimitIsRefused() {
        var gatherer = WriteGatherer(pieceLimit: 4, limit: 10)
        let gathered = Self.offer(["12345", "1234", "5678", "9ab", "9a"], to: &gatherer)
        #expect(gathered == [false, true, true, false, true])
        let taken = gatherer.take()
        #expect(taken.map { String(buffer: $0) } == "123456789a")
    }

    @Test func theFirstPieceIsAdoptedWithItsSpareCapacity() {
        var head = ByteBufferAllocator().buffer(capacity: 64)
        head.writeString("HTTP/1.1 200 OK\r\n\r\n")
        let capacity = head.capacity
        var gatherer = WriteGatherer(pieceLimit: 64, limit: 256)
        let first = gatherer.gather(head)
        let second = gatherer.gather(ByteBuffer(string: "short body"))
        #expect(first && second)
        let taken = gatherer.take()
        #expect(taken.map { String(buffer: $0) } == "HTTP/1.1 200 OK\r\n\r\nshort body")
        #expect(taken?.capacity == capacity)
    }

    @Test func withAFirstCapacityTheFirstPieceIsCopiedIntoABufferOfThatSize() {
        let piece = ByteBuffer(string: "frame header")
        var gatherer = WriteGatherer(pieceLimit: 64, limit: .max, firstCapacity: 1024)
        let gathered = gatherer.gather(piece)
        #expect(gathered)
        let taken = gatherer.take()
        #expect(taken.map { String(buffer: $0) } == "frame header")
        #expect((taken?.capacity ?? 0) >= 1024)
        #expect(piece.capacity < 1024)
    }
}
