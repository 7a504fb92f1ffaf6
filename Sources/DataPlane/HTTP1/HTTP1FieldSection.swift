import NIOCore

/// Raw bytes plus the fields parsed from them: shared accessors of `HTTP1Head` and `HTTP1Trailers`.
public protocol HTTP1FieldSection {
    /// The section's raw bytes, exactly as received; field ranges are offsets into it (its readerIndex is 0).
    var bytes: ByteBuffer { get }
    /// The fields, in the order received.
    var headers: [HTTP1HeaderField] { get }
}

extension HTTP1FieldSection {
    /// The bytes of `range` (empty if out of bounds), without copying.
    @inline(__always)
    func view(_ range: Range<Int>) -> ByteBufferView {
        bytes.viewBytes(at: range.lowerBound, length: range.count) ?? ByteBufferView()
    }

    /// The bytes of `range` as a String (non-UTF-8 bytes are replaced; empty if out of bounds), decoded straight
    /// from the section's storage.
    func string(_ range: Range<Int>) -> String {
        guard range.lowerBound >= 0, range.upperBound <= bytes.readableBytes else { return "" }
        return bytes.withUnsafeReadableBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The name of the field at `index`, as received.
    public func name(at index: Int) -> ByteBufferView {
        view(headers[index].name)
    }

    /// The value of the field at `index`, OWS trimmed.
    public func value(at index: Int) -> ByteBufferView {
        view(headers[index].value)
    }

    /// The name of the field at `index` as a String (case preserved).
    public func nameString(at index: Int) -> String {
        string(headers[index].name)
    }

    /// The name of the field at `index` as a lowercase String (HTTP/2's form), mapped byte by byte from the
    /// section's storage (names are tokens: ASCII only).
    public func lowercasedNameString(at index: Int) -> String {
        let range = headers[index].name
        guard range.lowerBound >= 0, range.upperBound <= bytes.readableBytes else { return "" }
        return bytes.withUnsafeReadableBytes { raw in
            String(unsafeUninitializedCapacity: range.count) { out in
                for offset in 0..<range.count { out[offset] = HTTP1Scanner.lowercased(raw[range.lowerBound &+ offset]) }
                return range.count
            }
        }
    }

    /// The value of the field at `index` as a String.
    public func valueString(at index: Int) -> String {
        string(headers[index].value)
    }

    /// The index of the first field of a well-known kind.
    public func firstIndex(of kind: HTTP1HeaderKind) -> Int? {
        headers.firstIndex { $0.kind == kind }
    }

    /// The index of the first field whose name equals `lowercasedName` ignoring ASCII case (compared on bytes).
    public func firstIndex(ofHeader lowercasedName: String) -> Int? {
        var target = lowercasedName
        return target.withUTF8 { lower in
            bytes.withUnsafeReadableBytes { p in
                headers.firstIndex { HTTP1Scanner.equalsLowercased(p, $0.name, lower) }
            }
        }
    }

    /// The index of the first field whose name equals `lowercasedName` ignoring ASCII case (compared on bytes).
    public func firstIndex(ofHeader lowercasedName: StaticString) -> Int? {
        lowercasedName.withUTF8Buffer { lower in
            bytes.withUnsafeReadableBytes { p in
                headers.firstIndex { HTTP1Scanner.equalsLowercased(p, $0.name, lower) }
            }
        }
    }

    /// The value of the first field named `lowercasedName` (case-insensitive), as a String.
    public func firstValue(ofHeader lowercasedName: String) -> String? {
        firstIndex(ofHeader: lowercasedName).map { valueString(at: $0) }
    }
}
