#if canImport(HTTP1)
@testable import HTTP1
#else
@testable import DataPlane
#endif
import NIOCore
import Testing

/// The word-at-a-time scanning must see every byte at every alignment.
@Suite struct HTTP1ScannerTests {
    /// Parses one request whole (no splits: these tests vary the position instead).
    private func parse(_ raw: [UInt8]) -> HTTP1FeedResult {
        var parser = HTTP1RequestParser()
        return http1Feed(&parser, [raw[...]])
    }

    @Test(arguments: [0x00, 0x01, 0x0B, 0x1F, 0x7F] as [UInt8])
    func controlInValueAtEveryOffset(_ control: UInt8) {
        for offset in 0..<24 {
            var value = Array(repeating: UInt8(ascii: "a"), count: 24)
            value[offset] = control
            let raw = http1Bytes("GET / HTTP/1.1\r\nHost: a\r\nX: ") + value + http1Bytes("\r\n\r\n")
            #expect(parse(raw).error == .error(.invalidHeaderValue, 400), "offset \(offset)")
        }
    }

    @Test func bareCarriageReturnInValueAtEveryOffset() {
        for offset in 0..<24 {
            var value = Array(repeating: UInt8(ascii: "a"), count: 24)
            value[offset] = UInt8(ascii: "\r")
            let raw = http1Bytes("GET / HTTP/1.1\r\nHost: a\r\nX: ") + value + http1Bytes("\r\n\r\n")
            #expect(parse(raw).error == .error(.bareCarriageReturn, 400), "offset \(offset)")
        }
    }

    @Test func bareLineFeedAtEveryOffset() {
        for offset in 0..<24 {
            var value = Array(repeating: UInt8(ascii: "a"), count: 24)
            value[offset] = UInt8(ascii: "\n")
            let raw = http1Bytes("GET / HTTP/1.1\r\nHost: a\r\nX: ") + value + http1Bytes("\r\n\r\n")
            #expect(parse(raw).error == .error(.bareLineFeed, 400), "offset \(offset)")
        }
    }

    @Test func controlInTargetAtEveryOffset() {
        for offset in 1..<24 {
            var target = Array(repeating: UInt8(ascii: "a"), count: 24)
            target[0] = UInt8(ascii: "/")
            target[offset] = 0x01
            let raw = http1Bytes("GET ") + target + http1Bytes(" HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(parse(raw).error == .error(.invalidTarget, 400), "offset \(offset)")
        }
    }

    @Test func whitespaceAndObsTextAtEveryOffsetAreKept() throws {
        for offset in 1..<23 {
            var value = Array(repeating: UInt8(ascii: "v"), count: 24)
            value[offset] = offset.isMultiple(of: 2) ? UInt8(ascii: " ") : UInt8(ascii: "\t")
            value[(offset + 5) % 22 + 1] = 0xE9
            let raw = http1Bytes("GET / HTTP/1.1\r\nHost: a\r\nX:  ") + value + http1Bytes(" \t \r\n\r\n")
            let result = parse(raw)
            let head = try #require(result.heads.first, "offset \(offset)")
            #expect(Array(head.value(at: 1)) == value, "offset \(offset)")
        }
    }

    @Test func headEndIsFoundAtEveryAlignment() {
        for padding in 0..<16 {
            let raw = "GET /\(String(repeating: "p", count: padding)) HTTP/1.1\r\nHost: a\r\n\r\nNEXT"
            let result = parse(http1Bytes(raw))
            #expect(result.shape == ["GET /\(String(repeating: "p", count: padding))", "end"], "padding \(padding)")
            #expect(result.rest == http1Bytes("NEXT"))
        }
    }

    @Test func tokenTableMatchesTheGrammar() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for b in 0...255 {
            #expect(HTTP1Scanner.isTokenChar(UInt8(b)) == tchars.contains(UInt8(b)), "byte \(b)")
        }
    }

    @Test func visibleWordMaskFindsTheFirstInvisibleByte() {
        for position in 0..<8 {
            for bad in [0x00, 0x09, 0x0D, 0x20, 0x7F] as [UInt8] {
                var bytes = Array(repeating: UInt8(0x80), count: 8)
                bytes[position] = bad
                if position < 7 { bytes[7] = 0x00 }  // a later invisible byte must not win
                let word = bytes.withUnsafeBytes { HTTP1Scanner.word($0, 0) }
                let mask = HTTP1Scanner.invisibleBytes(word)
                #expect(mask != 0 && HTTP1Scanner.firstByteOffset(mask) == position, "byte \(bad) at \(position)")
            }
        }
        let visible = Array("a~!\u{7E}zZ09".utf8)
        #expect(visible.withUnsafeBytes { HTTP1Scanner.invisibleBytes(HTTP1Scanner.word($0, 0)) } == 0)
    }
}
