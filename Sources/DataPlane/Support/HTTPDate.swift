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

    /// The date bytes for now.
    mutating func current() -> ByteBuffer {
        let now = time(nil)
        if now != second {
            second = now
            cached = ByteBuffer(string: Self.format(epochSeconds: now))
        }
        return cached
    }

    /// Formats seconds since 1970 as an IMF-fixdate.
    static func format(epochSeconds: Int) -> String { CivilTime(epochSeconds: epochSeconds).imfFixdate }
}
