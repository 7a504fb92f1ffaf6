import KubeModel
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The IMF-fixdate for the `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`), formatted by hand once per second
/// per event loop and reused; no Foundation formatter on the request path.
struct HTTPDateCache {
    private var second = -1
    private var cached = ByteBuffer()
    private var cachedText = ""

    /// The date bytes for now.
    mutating func current() -> ByteBuffer {
        refresh()
        return cached
    }

    /// The same date as text, for HTTP/2 fields (which take Strings).
    mutating func currentText() -> String {
        refresh()
        return cachedText
    }

    /// Formats the date again when the second has changed.
    private mutating func refresh() {
        let now = time(nil)
        guard now != second else { return }
        second = now
        cachedText = Self.format(epochSeconds: now)
        cached = ByteBuffer(string: cachedText)
    }

    /// Formats seconds since 1970 as an IMF-fixdate.
    static func format(epochSeconds: Int) -> String { CivilTime(epochSeconds: epochSeconds).imfFixdate }
}
