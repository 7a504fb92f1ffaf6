#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the memory a snapshot build frees from staying with the process (glibc): tables of 512 KiB and more get
/// pages of their own, and `malloc_trim` hands back what a build freed inside the heap. A no-op elsewhere.
enum MemoryTrim {
    /// `malloc_trim`, looked up once (it is not in the Glibc module's headers).
    private static let trim: (@convention(c) (Int) -> Int32)? = symbol("malloc_trim")
    /// `mallopt`, looked up once (neither is it).
    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = symbol("mallopt")

    /// The C function `name` of the C library, as a function of type `T`.
    private static func symbol<T>(_ name: String) -> T? {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
            return unsafeBitCast(symbol, to: T.self)
        #else
            return nil
        #endif
    }

    /// Allocations of 512 KiB and more (the hash tables and arrays of a build at scale) always get pages of their
    /// own, returned to the system when freed. glibc otherwise raises that threshold to the size of the largest
    /// block freed, so after the first build such tables land inside the heap, and a change, which holds the old
    /// and the new tables at once, leaves them as holes. Measured with 10,000 Ingresses: 1.7 MiB less at start-up,
    /// 2.6 MiB less at the peak of a change (bench/RESULTS.md). Not lower: the data plane's 128 KiB buffers (a
    /// streamed upload takes and frees dozens) would each be a `mmap` and a `munmap`. Call before the first build.
    static func configure() {
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>; setting it turns the raising off
        _ = mallopt?(mmapThreshold, 512 * 1024)
    }

    /// Returns free memory at the top of the heap and whole free pages inside it to the system.
    static func release() {
        _ = trim?(0)
    }
}
