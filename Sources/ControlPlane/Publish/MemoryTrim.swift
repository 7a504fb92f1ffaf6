#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory the allocator keeps after a snapshot build back to the system (glibc's `malloc_trim`): a build at
/// scale frees tens of megabytes of temporaries, which glibc would otherwise keep mapped. A no-op elsewhere.
enum MemoryTrim {
    /// `malloc_trim`, looked up once (it is not in the Glibc module's headers).
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// Returns free memory at the top of the heap and whole free pages inside it to the system.
    static func release() {
        _ = trim?(0)
    }
}
