import NIOCore
import NIOPosix
import Testing

@testable import DataPlane

/// The per-loop deadlines behind every connection's and stream's timeouts, on a real event loop.
@Suite struct LoopTimersTests {
    /// What fired, in order, with how late it was, and the loop's timers; touched on the loop only.
    final class Log: @unchecked Sendable {
        var fired: [(name: String, lateness: TimeAmount)] = []
        var timers: LoopTimers?
    }

    /// Runs `body` on a fresh event loop with its timers, then waits (at most five seconds) for it to complete
    /// the promise; no timer may be left listed afterwards.
    private func onLoop(_ body: @escaping @Sendable (LoopTimers, EventLoopPromise<Void>, Log) -> Void) async throws -> Log {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let log = Log()
        let done = loop.makePromise(of: Void.self)
        let guardTask = loop.scheduleTask(in: .seconds(5)) { done.fail(ChannelError.connectTimeout(.seconds(5))) }
        loop.execute {
            let timers = LoopTimers(eventLoop: loop)
            log.timers = timers
            body(timers, done, log)
        }
        try await done.futureResult.get()
        guardTask.cancel()
        let left = try await loop.submit { log.timers?.count ?? -1 }.get()
        #expect(left == 0)
        try await group.shutdownGracefully()
        return log
    }

    @Test func deadlinesFireInOrderNeverEarlyAndClearedOnesNever() async throws {
        let log = try await onLoop { timers, done, log in
            func timer(_ name: String, after ms: Int64, then: @escaping () -> Void = {}) -> ConnectionTimer {
                let deadline = NIODeadline.now() + .milliseconds(ms)
                let timer = ConnectionTimer(timers: timers) {
                    log.fired.append((name, NIODeadline.now() - deadline))
                    then()
                }
                timer.set(.upstreamRead, deadline: deadline)
                return timer
            }
            let early = timer("early", after: 150)
            let cleared = timer("cleared", after: 50)
            cleared.cancel()
            let moved = timer("moved", after: 40)
            moved.set(.keepAlive, deadline: .now() + .milliseconds(250))  // later: fires once, at the new deadline
            _ = timer("last", after: 400) { done.succeed(()) }
            _ = early
        }
        #expect(log.fired.map(\.name) == ["early", "moved", "last"])
        // Never before the deadline; at most about one resolution after it (generous for a loaded CI machine).
        for entry in log.fired {
            #expect(entry.lateness >= .zero, "\(entry.name) fired early by \(entry.lateness)")
            #expect(entry.lateness < LoopTimers.resolution + .seconds(1), "\(entry.name) fired \(entry.lateness) late")
        }
    }

    @Test func aCallbackMaySetItsOwnDeadlineAgainAndClearAnother() async throws {
        let log = try await onLoop { timers, done, log in
            var rounds = 0
            var other: ConnectionTimer?
            var again: ConnectionTimer?
            again = ConnectionTimer(timers: timers) {
                rounds += 1
                log.fired.append(("again \(rounds)", .zero))
                if rounds == 1 {
                    // Both this and `other` are due in the same tick: clearing `other` from here wins.
                    other?.cancel()
                    again?.set(.keepAlive, deadline: .now() + .milliseconds(120))
                } else {
                    again?.cancel()
                    done.succeed(())
                }
            }
            let deadline = NIODeadline.now() + .milliseconds(60)
            again?.set(.keepAlive, deadline: deadline)
            other = ConnectionTimer(timers: timers) { log.fired.append(("other", .zero)) }
            other?.set(.keepAlive, deadline: deadline)
        }
        #expect(log.fired.map(\.name) == ["again 1", "again 2"])
    }
}
