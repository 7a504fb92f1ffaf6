import NIOCore
import NIOHPACK
import NIOHTTP2

/// Turns the parse events of one HTTP/1.1 message into HTTP/2 frame payloads: the head becomes HEADERS (held
/// back until the next event, so a body-less message ends in that same frame), body pieces become DATA, trailers
/// become a final HEADERS with END_STREAM. Interim (1xx) heads pass as their own HEADERS. Shared by the server stream and the client bridge.
struct HTTP2MessageFramer {
    private var pendingHead: HPACKHeaders?
    /// The last body piece given to ``body(_:into:)``, held so that the message's end can ride on it.
    private var pendingData: ByteBuffer?
    private var interim = false
    /// Whether the message's last frame (END_STREAM) was produced.
    private(set) var ended = false

    /// Feeds one event; appends the frames it produces. `convert` maps a head to its HEADERS (nil drops it).
    /// Returns false when parsing must stop (`.needMoreData` or an error).
    mutating func feed(
        _ event: HTTP1ParseEvent,
        into frames: inout [HTTP2Frame.FramePayload],
        convert: (HTTP1Head) -> HPACKHeaders?
    ) -> Bool {
        switch event {
        case .head(let head):
            if head.isInterim {
                interim = true
                if let headers = convert(head) { frames.append(.headers(.init(headers: headers))) }
            } else {
                pendingHead = convert(head)
            }
        case .body(let body):
            takePendingHead(into: &frames)
            frames.append(.data(.init(data: .byteBuffer(body))))
        case .trailers(let trailers):
            takePendingHead(into: &frames)
            var fields = HPACKHeaders()
            Self.addFields(of: trailers, to: &fields)
            frames.append(.headers(.init(headers: fields, endStream: true)))
            ended = true
        case .end:
            if interim {
                interim = false
            } else if let head = pendingHead {
                pendingHead = nil
                frames.append(.headers(.init(headers: head, endStream: true)))
                ended = true
            } else if !ended {
                // The last body piece of this batch carries END_STREAM instead of an empty DATA frame after it.
                if case .data(var last)? = frames.last, !last.endStream {
                    last.endStream = true
                    frames[frames.count - 1] = .data(last)
                } else {
                    frames.append(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)))
                }
                ended = true
            }
        case .needMoreData, .error:
            return false
        }
        return true
    }

    /// Moves a waiting head, then a held body piece, into the frames (at a flush or the end of a write, so the
    /// peer sees them without delay).
    mutating func takePendingHead(into frames: inout [HTTP2Frame.FramePayload]) {
        if let head = pendingHead {
            pendingHead = nil
            frames.append(.headers(.init(headers: head)))
        }
        if let data = pendingData {
            pendingData = nil
            frames.append(.data(.init(data: .byteBuffer(data))))
        }
    }

    // MARK: Messages given as parts (a backend's response on the proxy's HTTP/2 fast path)

    /// Holds a message's head until its first body piece, its end or a flush.
    mutating func head(_ headers: HPACKHeaders) {
        pendingHead = headers
    }

    /// A body piece: what was held goes out, and this piece is held in turn, so that the end rides on it.
    mutating func body(_ piece: ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) {
        guard !ended, piece.readableBytes > 0 else { return }
        takePendingHead(into: &frames)
        pendingData = piece
    }

    /// Ends the message with `trailers` (a final HEADERS frame) or on its last held frame, which carries END_STREAM.
    mutating func end(trailers: HPACKHeaders? = nil, into frames: inout [HTTP2Frame.FramePayload]) {
        guard !ended else { return }
        ended = true
        if let trailers {
            takePendingHead(into: &frames)
            frames.append(.headers(.init(headers: trailers, endStream: true)))
        } else if let data = pendingData {
            // A held piece means its head already went out (see `body`).
            pendingData = nil
            frames.append(.data(.init(data: .byteBuffer(data), endStream: true)))
        } else if let head = pendingHead {
            pendingHead = nil
            frames.append(.headers(.init(headers: head, endStream: true)))
        } else {
            frames.append(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)))
        }
    }

    /// Adds the fields of an HTTP/1.1 section that HTTP/2 may carry, names lowercased. They are sent without
    /// indexing (most response values change from one response to the next, as nginx's HPACK encoder assumes
    /// too): the encoder then only looks names up in the static table instead of searching its dynamic table.
    /// `droppingFraming` also leaves out the fields that frame a message (for trailers, see `isFraming`).
    static func addFields(of section: some HTTP1FieldSection, to fields: inout HPACKHeaders, droppingFraming: Bool = false) {
        for index in section.headers.indices {
            let kind = section.headers[index].kind
            if kind.isConnectionSpecific || (droppingFraming && kind.isFraming) { continue }
            fields.add(name: section.lowercasedNameString(at: index), value: section.valueString(at: index), indexing: .nonIndexable)
        }
    }

    /// Fields HTTP/2 forbids (RFC 9113 §8.2.2) plus framing fields the other side recomputes.
    static func isConnectionSpecific(_ name: String) -> Bool {
        switch name {
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te": true
        default: false
        }
    }

    /// Writes each frame, the last one completing `promise`.
    static func write(
        _ frames: [HTTP2Frame.FramePayload],
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?,
        wrap: (HTTP2Frame.FramePayload) -> NIOAny
    ) {
        guard let last = frames.last else {
            promise?.succeed(())
            return
        }
        for frame in frames.dropLast() { context.write(wrap(frame), promise: nil) }
        context.write(wrap(last), promise: promise)
    }
}

/// HTTP/1.1 chunked framing of one body piece: size line, data, CRLF (nothing for an empty piece).
enum ChunkedEncoding {
    /// Emits the three parts of one chunk through `emit`.
    static func emitChunk(_ body: ByteBuffer, allocator: ByteBufferAllocator, _ emit: (ByteBuffer) -> Void) {
        guard body.readableBytes > 0 else { return }
        var size = allocator.buffer(capacity: 12)
        size.writeString(String(body.readableBytes, radix: 16))
        size.writeStaticString("\r\n")
        emit(size)
        emit(body)
        emit(ByteBuffer(staticString: "\r\n"))
    }

    /// Writes the last chunk with the trailer fields that may be forwarded (framing fields dropped).
    static func writeLastChunk(trailers: HTTP1Trailers, into out: inout ByteBuffer) {
        out.writeStaticString("0\r\n")
        for field in trailers.headers where !field.kind.isFraming {
            if let line = trailers.bytes.getSlice(at: field.name.lowerBound, length: field.value.upperBound - field.name.lowerBound) {
                out.writeImmutableBuffer(line)
                out.writeStaticString("\r\n")
            }
        }
        out.writeStaticString("\r\n")
    }
}
