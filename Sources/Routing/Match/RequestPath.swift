/// Turns a request target into the path used for matching, the way nginx normalizes `$uri`:
/// the query is split off (it never takes part in matching), percent-encoded unreserved characters are decoded,
/// `.` and `..` segments are resolved and repeated slashes merged. Already-clean paths (the common case) are
/// returned without copying work.
public enum RequestPath {
    /// The normalized path and the raw query (nil when the target has no `?`); nil for a target that is not
    /// origin-form (absolute-form targets must be reduced by the caller) or that climbs above the root.
    public static func split(_ target: Substring) -> (path: String, query: Substring?)? {
        let rawPath: Substring
        let query: Substring?
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            rawPath = target[..<mark]
            query = target[target.utf8.index(after: mark)...]
        } else {
            rawPath = target
            query = nil
        }
        guard rawPath.utf8.first == UInt8(ascii: "/") else { return nil }
        if isClean(rawPath.utf8) { return (String(rawPath), query) }
        guard let normalized = normalize(rawPath) else { return nil }
        return (normalized, query)
    }

    /// ``split(_:)-(Substring)`` for a whole target String; a clean target without query is returned as is
    /// (no copy), decided in one pass over contiguous bytes.
    public static func split(_ target: String) -> (path: String, query: Substring?)? {
        let fast = target.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.first == UInt8(ascii: "/") && !bytes.contains(UInt8(ascii: "?")) && isClean(bytes)
        }
        if fast == true { return (target, nil) }
        return split(Substring(target))
    }

    /// True when the path has no `%`, no `//` and no `.`/`..` segment.
    static func isClean(_ bytes: some Sequence<UInt8>) -> Bool {
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "#"): return false
            case UInt8(ascii: "/"):
                if previous == UInt8(ascii: "/") { return false }
                if previous == UInt8(ascii: "."), beforePrevious == UInt8(ascii: "/") || beforePrevious == UInt8(ascii: ".") {
                    return false
                }
            default: break
            }
            beforePrevious = previous
            previous = byte
        }
        // a trailing "/." or "/.."
        if previous == UInt8(ascii: "."), beforePrevious == UInt8(ascii: "/") || beforePrevious == UInt8(ascii: ".") {
            return false
        }
        return true
    }

    /// Decodes unreserved percent-escapes, merges slashes and resolves dot segments; nil when `..` leaves the root
    /// or an escape is malformed.
    static func normalize(_ path: Substring) -> String? {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(path.utf8.count)
        var iterator = path.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "#") { break }  // a fragment never reaches the server; ignore it defensively
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            let value = high << 4 | low
            if isUnreserved(value) {
                decoded.append(value)
            } else {
                decoded.append(UInt8(ascii: "%"))
                decoded.append(hexDigit(high))
                decoded.append(hexDigit(low))
            }
        }
        var segments: [ArraySlice<UInt8>] = []
        let parts = decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        let trailingSlash =
            decoded.last == UInt8(ascii: "/") || parts.last.map { $0.elementsEqual([46]) || $0.elementsEqual([46, 46]) } == true
        for part in parts {
            if part.isEmpty || part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard !segments.isEmpty else { return nil }
                segments.removeLast()
                continue
            }
            segments.append(part)
        }
        var result: [UInt8] = [UInt8(ascii: "/")]
        for (index, segment) in segments.enumerated() {
            if index > 0 { result.append(UInt8(ascii: "/")) }
            result += segment
        }
        if trailingSlash && !segments.isEmpty { result.append(UInt8(ascii: "/")) }
        return String(decoding: result, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

/// Host header handling for matching: lowercase, without the port, without a trailing dot.
public enum RequestHost {
    /// ``normalize(_:)-(Substring)`` for a whole Host String: one already in normal form (no port, no
    /// uppercase, no trailing dot) is returned as is.
    public static func normalize(_ host: String) -> String {
        let normal = host.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.last != UInt8(ascii: ".")
                && !bytes.contains(where: { $0 == UInt8(ascii: ":") || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) })
        }
        if normal == true { return host }
        return normalize(Substring(host))
    }

    /// The host name to match (`Example.COM:8080` → `example.com`, `[::1]:80` → `[::1]`).
    public static func normalize(_ host: Substring) -> String {
        var name = host
        if name.utf8.first == UInt8(ascii: "[") {
            if let close = name.utf8.firstIndex(of: UInt8(ascii: "]")) { name = name[...close] }
        } else if let colon = name.utf8.lastIndex(of: UInt8(ascii: ":")) {
            name = name[..<colon]
        }
        if name.utf8.last == UInt8(ascii: "."), name.utf8.count > 1 { name = name.dropLast() }
        if name.utf8.allSatisfy({ !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }) { return String(name) }
        return String(decoding: name.utf8.map(PatternRegex.lowercase), as: UTF8.self)
    }
}
