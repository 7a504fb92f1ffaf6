import NIOCore

/// What the parser made of an input: each event in a comparable form.
enum Seen: Equatable {
    case head(method: [UInt8], target: [UInt8], fields: [[UInt8]], framing: String)
    case body([UInt8])
    case trailers([[UInt8]])
    case end
    case error(String)
}

/// Feeds `chunks` one after the other and returns the events (bodies merged), checking the event grammar on the way:
/// head, body*, trailers?, end — repeated; an error ends everything.
func read(_ chunks: [ArraySlice<UInt8>]) -> [Seen] {
    var parser = HTTP1RequestParser()
    var buffer = ByteBuffer()
    var seen: [Seen] = []
    var inMessage = false
    for chunk in chunks {
        buffer.writeBytes(chunk)
        for _ in 0..<1_000_000 {
            let event = parser.next(&buffer)
            switch event {
            case .needMoreData:
                break
            case .head(let head):
                precondition(!inMessage, "a head inside a message")
                inMessage = true
                precondition(head.hostIndex != nil || head.version == .http1_0, "an HTTP/1.1 request head without Host was accepted")
                let fields = head.headers.indices.map { Array(head.name(at: $0)) + [0x3A] + Array(head.value(at: $0)) }
                seen.append(
                    .head(method: Array(head.methodBytes), target: Array(head.targetBytes), fields: fields, framing: "\(head.bodyFraming)"))
                continue
            case .body(let body):
                precondition(inMessage, "a body outside a message")
                if case .body(let earlier) = seen.last {
                    seen[seen.count - 1] = .body(earlier + Array(body.readableBytesView))
                } else {
                    seen.append(.body(Array(body.readableBytesView)))
                }
                continue
            case .trailers(let trailers):
                precondition(inMessage, "trailers outside a message")
                seen.append(
                    .trailers(trailers.headers.indices.map { Array(trailers.name(at: $0)) + [0x3A] + Array(trailers.value(at: $0)) }))
                continue
            case .end:
                precondition(inMessage, "an end outside a message")
                inMessage = false
                seen.append(.end)
                continue
            case .error(let error):
                seen.append(.error("\(error.kind)"))
                return seen
            }
            break
        }
    }
    return seen
}

/// libFuzzer's entry point: the parser must not trap, must keep its event grammar, and must read the input the
/// same way whole, byte by byte, and split in two at a position the input chooses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = read([bytes[...]])
    let single = read(bytes.indices.map { bytes[$0...$0] })
    precondition(whole == single, "byte-at-a-time feeding read the input differently")
    if let first = bytes.first {
        let split = Int(first) % (bytes.count + 1)
        precondition(read([bytes[..<split], bytes[split...]]) == whole, "a split at \(split) read the input differently")
    }
    return 0
}
