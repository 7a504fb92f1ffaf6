import NIOCore
import NIOEmbedded
import Testing

@testable import DataPlane

/// The flushes of one event-loop pass leave as one; a close flushes first.
@Suite struct HTTP2FlushCoalescerTests {
    /// A counter the embedded loop's callbacks bump (they run on the test's thread).
    final class Count: @unchecked Sendable {
        var value = 0
    }

    private func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTP2FlushCoalescer())
        return channel
    }

    private func outbound(_ channel: EmbeddedChannel) throws -> [String] {
        var written: [String] = []
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else { continue }
            written.append(String(buffer: buffer))
        }
        return written
    }

    @Test func flushesOfOnePassLeaveTogetherAtItsEnd() throws {
        let channel = try channel()
        channel.write(IOData.byteBuffer(ByteBuffer(string: "one")), promise: nil)
        channel.flush()
        channel.write(IOData.byteBuffer(ByteBuffer(string: "two")), promise: nil)
        channel.flush()
        // Nothing has left yet: the flush waits for the end of the pass.
        #expect(try outbound(channel).isEmpty)
        channel.embeddedEventLoop.run()
        // Small writes leave as one buffer (one TLS record under TLS).
        #expect(try outbound(channel) == ["onetwo"])
        // A later pass flushes on its own again.
        channel.write(IOData.byteBuffer(ByteBuffer(string: "three")), promise: nil)
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == ["three"])
        _ = try channel.finish()
    }

    @Test func largeWritesPassAsTheyAreAfterWhatWasGathered() throws {
        let channel = try channel()
        let large = String(repeating: "x", count: HTTP2FlushCoalescer.gatherLimit + 1)
        let promises = (0..<3).map { _ in channel.embeddedEventLoop.makePromise(of: Void.self) }
        channel.write(IOData.byteBuffer(ByteBuffer(string: "head")), promise: promises[0])
        channel.write(IOData.byteBuffer(ByteBuffer(string: large)), promise: promises[1])
        channel.write(IOData.byteBuffer(ByteBuffer(string: "tail")), promise: promises[2])
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == ["head", large, "tail"])
        // Every write's promise completes with the write that carried it.
        let succeeded = Count()
        for promise in promises { promise.futureResult.whenSuccess { succeeded.value += 1 } }
        #expect(succeeded.value == 3)
        _ = try channel.finish()
    }

    @Test func aCloseFlushesWhatWaits() throws {
        let channel = try channel()
        channel.write(IOData.byteBuffer(ByteBuffer(string: "last")), promise: nil)
        channel.flush()
        channel.close(promise: nil)
        #expect(try outbound(channel) == ["last"])
        channel.embeddedEventLoop.run()
    }
}
