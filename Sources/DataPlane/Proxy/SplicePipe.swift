import CLinuxSplice
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pipe through which request bodies go from a client's socket to a backend's inside the kernel (`splice(2)`),
/// instead of being read into the proxy's memory and written out again (two copies of every byte).
///
/// One per event loop. Every ``transfer(from:to:limit:allocator:)`` leaves it empty (bytes the backend's socket
/// did not take are read back out before it returns), so the loop's connections take turns on it.
final class SplicePipe {
    /// The pipe's read end.
    private let readEnd: CInt
    /// The pipe's write end.
    private let writeEnd: CInt
    /// How many bytes the pipe holds: the most one splice call moves.
    let capacity: Int
    /// The most one transfer moves (16 pipefuls): a client that keeps its socket full must not hold the event loop
    /// from its other connections; the rest waits for the next readable event.
    var transferBudget: Int { 16 * capacity }
    /// Whether the pipe could not be emptied after a transfer (it must not be used again).
    private(set) var broken = false

    /// The room asked for: 256 KiB moves an 8 MiB body in 32 pairs of calls, and bounds what a full backend
    /// socket leaves to be read back out.
    static let requestedCapacity = 256 * 1024

    /// A new pipe, or nil when the system has no `splice` or no descriptor to spare (bodies are then copied).
    init?() {
        var fds: [CInt] = [-1, -1]
        let room = fds.withUnsafeMutableBufferPointer { gatehouse_make_pipe($0.baseAddress, CInt(Self.requestedCapacity)) }
        guard room > 0 else { return nil }
        readEnd = fds[0]
        writeEnd = fds[1]
        capacity = Int(room)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// What one transfer did.
    struct Transfer {
        /// Body bytes taken from the client's socket (every one of them went to the backend's socket or is in
        /// `leftover`).
        var taken = 0
        /// Bytes the backend's socket did not take (it was full, or failed): the caller writes them through the
        /// channel, which waits for room or reports the failure.
        var leftover: ByteBuffer?
    }

    /// Moves up to `limit` bytes from the `client` socket to the `backend` socket, a pipeful at a time, until the
    /// client's socket has nothing more to give, the backend's takes no more, or `limit` is reached.
    ///
    /// It stops without a word when reading the client's socket fails or meets its end: the channel's next read
    /// reports that. If the pipe could not be emptied it is ``broken``: then bytes were lost, and the request must
    /// fail.
    func transfer(from client: CInt, to backend: CInt, limit: Int, allocator: ByteBufferAllocator) -> Transfer {
        var result = Transfer()
        while result.taken < limit {
            let wanted = min(limit - result.taken, capacity)
            let read = gatehouse_splice(client, writeEnd, wanted)
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { break }
            result.taken += read
            var inPipe = read
            while inPipe > 0 {
                let written = gatehouse_splice(readEnd, backend, inPipe)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }
                inPipe -= written
            }
            if inPipe > 0 {
                result.leftover = readBack(inPipe, allocator: allocator)
                break
            }
            // A short read emptied the socket as a rule: the next readable event brings more, without a call
            // here that would only say "try again".
            if read < wanted { break }
        }
        return result
    }

    /// Reads the `count` bytes left in the pipe into a buffer (the pipe is never left holding any); nil, and the
    /// pipe ``broken``, if they could not be read.
    private func readBack(_ count: Int, allocator: ByteBufferAllocator) -> ByteBuffer? {
        var buffer = allocator.buffer(capacity: count)
        var missing = count
        while missing > 0 {
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: missing) { space in
                result = read(readEnd, space.baseAddress, missing)
                return max(result, 0)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                broken = true
                return nil
            }
            missing -= result
        }
        return buffer
    }
}
