#if canImport(HTTP1)
@testable import HTTP1
#else
@testable import DataPlane
#endif
import NIOCore
import Testing

/// The two parsers seen the same way by the feeding helpers.
protocol HTTP1TestParser {
    mutating func next(_ buffer: inout ByteBuffer) -> HTTP1ParseEvent
    mutating func inputClosed() -> HTTP1ParseEvent
}

extension HTTP1RequestParser: HTTP1TestParser {}
extension HTTP1ResponseParser: HTTP1TestParser {}

extension HTTP1ParseEvent {
    /// Whether this is a `.head`.
    var isHead: Bool {
        if case .head = self { return true }
        return false
    }
}

/// A parse event normalised for comparison: bodies as text, errors by kind and status.
enum HTTP1Seen: Equatable, CustomStringConvertible {
    case head(HTTP1Head)
    case body(String)
    case trailers(HTTP1Trailers)
    case end
    case error(HTTP1ParseError.Kind, Int)

    var description: String {
        switch self {
        case .head(let head):
            let start = head.status == 0 ? "\(head.method) \(head.target)" : "\(head.status) \(head.reason)"
            return "head(\(start), \(head.headers.count) fields)"
        case .body(let text): return "body(\(text.debugDescription))"
        case .trailers(let trailers): return "trailers(\(trailers.headers.count) fields)"
        case .end: return "end"
        case .error(let kind, let status): return "error(\(kind), \(status))"
        }
    }

    /// The head, if this is one.
    var head: HTTP1Head? {
        if case .head(let head) = self { return head }
        return nil
    }
}

/// What feeding a parser produced.
struct HTTP1FeedResult: Equatable {
    /// Events in order, consecutive bodies merged.
    var events: [HTTP1Seen] = []
    /// Bytes left unconsumed in the buffer at the end.
    var rest: [UInt8] = []

    /// The error at the end, if feeding stopped on one.
    var error: HTTP1Seen? {
        if case .error = events.last { return events.last }
        return nil
    }

    /// The heads, in order.
    var heads: [HTTP1Head] { events.compactMap(\.head) }

    /// The events as short labels: "GET /x" or "200" for heads, "body:<text>", "trailers:<count>", "end",
    /// "error:<kind>"; compare them whole instead of indexing events.
    var shape: [String] {
        events.map { event in
            switch event {
            case .head(let head): return head.status == 0 ? "\(head.method) \(head.target)" : "\(head.status)"
            case .body(let text): return "body:\(text)"
            case .trailers(let trailers): return "trailers:\(trailers.headers.count)"
            case .end: return "end"
            case .error(let kind, _): return "error:\(kind)"
            }
        }
    }
}

/// The UTF-8 bytes of a fixture (fixtures spell out every "\r\n").
func http1Bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Appends one event to `result`, merging consecutive bodies. Returns false when feeding must stop.
private func record(_ event: HTTP1ParseEvent, into result: inout HTTP1FeedResult) -> Bool {
    switch event {
    case .head(let head):
        result.events.append(.head(head))
    case .body(var body):
        let text = body.readString(length: body.readableBytes) ?? "<non-UTF-8>"
        if case .body(let previous) = result.events.last {
            result.events[result.events.count - 1] = .body(previous + text)
        } else {
            result.events.append(.body(text))
        }
    case .trailers(let trailers):
        result.events.append(.trailers(trailers))
    case .end:
        result.events.append(.end)
    case .error(let error):
        result.events.append(.error(error.kind, error.status))
        return false
    case .needMoreData:
        break
    }
    return true
}

/// Feeds `chunks` one after another into `parser`, calling `next` after each until `.needMoreData`, and
/// `inputClosed` at the end when `close` is set. `afterEvent` may adjust the parser (e.g. `expectResponse`).
func http1Feed<P: HTTP1TestParser>(
    _ parser: inout P,
    _ chunks: [ArraySlice<UInt8>],
    close: Bool = false,
    afterEvent: (inout P, HTTP1Seen) -> Void = { _, _ in }
) -> HTTP1FeedResult {
    var result = HTTP1FeedResult()
    var buffer = ByteBuffer()
    chunkLoop: for chunk in chunks {
        buffer.writeBytes(chunk)
        var steps = 0
        while true {
            steps += 1
            if steps > 100_000 {
                Issue.record("parser did not settle on .needMoreData")
                break chunkLoop
            }
            let event = parser.next(&buffer)
            if case .needMoreData = event { break }
            let count = result.events.count
            if !record(event, into: &result) { break chunkLoop }
            if result.events.count > count, let last = result.events.last { afterEvent(&parser, last) }
        }
    }
    if close, result.error == nil {
        // Drain first (a close-delimited body may still be in the buffer), then report EOF.
        _ = record(parser.inputClosed(), into: &result)
    }
    result.rest = Array(buffer.readableBytesView)
    return result
}

/// Feeds `bytes` whole, in two pieces at every split position, and one byte at a time; expects the same events
/// (and the same leftover bytes) every time, and returns the result of the whole feeding.
@discardableResult
func http1FeedEverySplit<P: HTTP1TestParser>(
    _ make: () -> P,
    _ bytes: [UInt8],
    close: Bool = false,
    afterEvent: (inout P, HTTP1Seen) -> Void = { _, _ in },
    sourceLocation: SourceLocation = #_sourceLocation
) -> HTTP1FeedResult {
    var whole = make()
    let expected = http1Feed(&whole, [bytes[...]], close: close, afterEvent: afterEvent)
    for split in 0...bytes.count {
        var parser = make()
        let got = http1Feed(&parser, [bytes[..<split], bytes[split...]], close: close, afterEvent: afterEvent)
        if !sameOutcome(got, expected) {
            #expect(got == expected, "split at \(split)", sourceLocation: sourceLocation)
            break
        }
    }
    var parser = make()
    let single = http1Feed(&parser, bytes.indices.map { bytes[$0...$0] }, close: close, afterEvent: afterEvent)
    #expect(sameOutcome(single, expected), "byte at a time: \(single.events) vs \(expected.events)", sourceLocation: sourceLocation)
    return expected
}

/// Same events; same leftover bytes unless feeding stopped on an error (then later pieces were never appended).
private func sameOutcome(_ a: HTTP1FeedResult, _ b: HTTP1FeedResult) -> Bool {
    a.events == b.events && (a.error != nil || a.rest == b.rest)
}

/// A request parser with default limits.
func http1RequestParser() -> HTTP1RequestParser { HTTP1RequestParser() }

/// A response parser with default limits.
func http1ResponseParser() -> HTTP1ResponseParser { HTTP1ResponseParser() }
