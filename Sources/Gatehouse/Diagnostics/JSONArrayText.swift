/// Byte-level helpers for answering a JSON array in place: split it into the raw text of its elements, add members
/// to an object's text, quote strings. They assume text a JSON parser has already accepted (no validation here), and
/// keep every element exactly as written (key order, numbers, spacing).
enum JSONArrayText {
    /// The raw text of each element of a top-level JSON array (surrounding whitespace trimmed); nil when the text
    /// is not an array.
    static func elements(of bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        var index = skipSpace(bytes, from: 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var elements: [ArraySlice<UInt8>] = []
        while true {
            index = skipSpace(bytes, from: index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return elements }
            let start = index
            var depth = 0
            var inString = false
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                } else if byte == UInt8(ascii: ","), depth == 0 {
                    break
                }
                index += 1
            }
            guard index < bytes.count else { return nil }
            var end = index
            while end > start, isSpace(bytes[end - 1]) { end -= 1 }
            elements.append(bytes[start..<end])
            if bytes[index] == UInt8(ascii: ",") { index += 1 }
        }
    }

    /// The object `element` (the text of a JSON object) with `members` (already encoded `"key":value` pairs)
    /// appended before its closing brace.
    static func appending(_ members: [String], to element: ArraySlice<UInt8>) -> String {
        var body = element.dropFirst().dropLast()
        while let last = body.last, isSpace(last) { body = body.dropLast() }
        let hasMembers = body.contains { !isSpace($0) }
        return "{" + String(decoding: body, as: UTF8.self) + (hasMembers ? "," : "") + members.joined(separator: ",") + "}"
    }

    /// `"text"` with quotes, backslashes and control characters escaped.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// The index of the first non-whitespace byte at or after `index`.
    private static func skipSpace(_ bytes: [UInt8], from index: Int) -> Int {
        var index = index
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        return index
    }

    /// JSON whitespace.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }
}
