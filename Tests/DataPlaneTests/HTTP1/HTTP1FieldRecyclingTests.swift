import NIOCore
import Testing

#if canImport(HTTP1)
    @testable import HTTP1
#else
    @testable import DataPlane
#endif

/// A head given back to its parser (`recycle(_:)`) lends its field array's memory to the next head, and only when
/// nothing else holds it: heads still held keep their fields.
@Suite struct HTTP1FieldRecyclingTests {
    /// The address of a head's field storage.
    private static func storage(_ head: HTTP1Head) -> UnsafeRawPointer? {
        head.headers.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// The next head event from `buffer`, skipping body events.
    private static func nextHead(_ parser: inout HTTP1RequestParser, _ buffer: inout ByteBuffer) -> HTTP1Head? {
        while true {
            switch parser.next(&buffer) {
            case .head(let head): return head
            case .body, .trailers, .end: continue
            case .needMoreData, .error: return nil
            }
        }
    }

    /// A head with `count` fields more than a new field array has room for.
    private static func manyFields(_ count: Int) -> String {
        (0..<count).map { "X-Field-\($0): \($0)\r\n" }.joined()
    }

    @Test func aRecycledRequestHeadLendsItsMemoryToTheNext() throws {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(
            string: "GET /a HTTP/1.1\r\nHost: a\r\n\(Self.manyFields(40))\r\n" + "GET /b HTTP/1.1\r\nHost: b\r\nAccept: */*\r\n\r\n")
        var first = Self.nextHead(&parser, &buffer)
        let firstStorage = try #require(first.map(Self.storage))
        #expect(first?.headers.count == 41)
        parser.recycle(try #require(first))
        first = nil
        let second = try #require(Self.nextHead(&parser, &buffer))
        // The first head's array grew to 41 fields; a new array starts with room for 16. (Comparing addresses alone
        // would not tell: malloc may hand a freed block out again.)
        #expect(second.headers.capacity >= 41)
        #expect(Self.storage(second) == firstStorage)
        #expect(second.target == "/b")
        #expect(second.headers.count == 2)
        #expect(second.host == "b")
        #expect(second.nameString(at: 1) == "Accept")
        #expect(second.valueString(at: 1) == "*/*")
    }

    @Test func aHeadStillHeldKeepsItsFields() throws {
        var parser = HTTP1RequestParser()
        var buffer = ByteBuffer(
            string: "GET /a HTTP/1.1\r\nHost: a\r\nX-One: 1\r\nX-Two: 2\r\n\r\n" + "GET /b HTTP/1.1\r\nHost: b\r\n\r\n")
        let first = try #require(Self.nextHead(&parser, &buffer))
        parser.recycle(first)
        let second = try #require(Self.nextHead(&parser, &buffer))
        #expect(Self.storage(second) != Self.storage(first))
        #expect(first.headers.count == 3)
        #expect(first.host == "a")
        #expect(first.nameString(at: 2) == "X-Two")
        #expect(first.valueString(at: 2) == "2")
        #expect(second.headers.count == 1)
        #expect(second.host == "b")
    }

    @Test func aRecycledResponseHeadLendsItsMemoryToTheNext() throws {
        var parser = HTTP1ResponseParser()
        var buffer = ByteBuffer(
            string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\(Self.manyFields(40))\r\nok"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        var heads: [HTTP1Head] = []
        var storages: [UnsafeRawPointer?] = []
        var capacities: [Int] = []
        loop: while true {
            switch parser.next(&buffer) {
            case .head(let head):
                heads.append(head)
                storages.append(Self.storage(head))
                capacities.append(head.headers.capacity)
            case .end:
                // The caller is done with the head: give it back and drop it.
                if let last = heads.popLast() { parser.recycle(last) }
                parser.expectResponse(toHEAD: false)
            case .body, .trailers: continue
            case .needMoreData, .error: break loop
            }
        }
        #expect(storages.count == 2)
        #expect(storages.first == storages.last)
        #expect(capacities.last ?? 0 >= 41)
        #expect(buffer.readableBytes == 0)
    }
}
