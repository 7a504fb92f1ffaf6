import NIOCore

/// One deadline per connection or HTTP/2 stream, kept in its event loop's ``LoopTimers``: setting, moving and
/// clearing it are a few stores, with no task scheduled or cancelled per request. The loop's timers hold the timer
/// and the timer its owner's callback strongly (a weak reference would move their reference counting to a slower
/// side table for good): the owner calls ``cancel()`` and drops the timer when it goes away.
final class ConnectionTimer {
    /// What the deadline is for.
    private(set) var purpose: ProxyHandler.TimerPurpose?
    /// When the deadline passes, if one is set.
    private(set) var deadline: NIODeadline?
    /// The timer's place in its loop's list (maintained by ``LoopTimers``), -1 when not listed.
    fileprivate var slot = -1
    private let timers: LoopTimers
    private let onExpiry: () -> Void

    /// A timer of `timers`' loop that calls `onExpiry` when a deadline passes.
    init(timers: LoopTimers, onExpiry: @escaping () -> Void) {
        self.timers = timers
        self.onExpiry = onExpiry
    }

    /// Sets the deadline and what it is for.
    func set(_ purpose: ProxyHandler.TimerPurpose, deadline: NIODeadline) {
        self.purpose = purpose
        self.deadline = deadline
        if slot < 0 { timers.add(self) }
    }

    /// Clears the deadline.
    func cancel() {
        purpose = nil
        deadline = nil
        timers.remove(self)
    }

    /// Calls the owner if the deadline has passed at `now` (the owner may set a new one).
    fileprivate func expire(now: NIODeadline) {
        guard let deadline, deadline <= now else { return }
        self.deadline = nil
        timers.remove(self)
        onExpiry()
    }
}

/// The deadlines of one event loop's connections and HTTP/2 streams, checked together by one task that repeats
/// every ``resolution`` while any is set, instead of a NIO task scheduled and cancelled for each (which costs a
/// heap insertion and removal and copies of the task per request: thousands of instructions per HTTP/2 stream).
/// A deadline fires up to one resolution late, never early. Touched only on its event loop.
final class LoopTimers {
    /// How often set deadlines are checked.
    static let resolution = TimeAmount.milliseconds(100)

    private let eventLoop: any EventLoop
    private var timers: [ConnectionTimer] = []
    private var ticking = false

    /// The timers of `eventLoop`.
    init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    /// How many timers are listed (set and not yet fired or cleared).
    var count: Int { timers.count }

    fileprivate func add(_ timer: ConnectionTimer) {
        timer.slot = timers.count
        timers.append(timer)
        if !ticking {
            ticking = true
            scheduleTick()
        }
    }

    fileprivate func remove(_ timer: ConnectionTimer) {
        let slot = timer.slot
        guard slot >= 0 else { return }
        timer.slot = -1
        let last = timers.removeLast()
        if last !== timer {
            timers[slot] = last
            last.slot = slot
        }
    }

    private func scheduleTick() {
        eventLoop.assumeIsolated().scheduleTask(in: Self.resolution) { self.tick() }
    }

    /// Fires every passed deadline, then ticks again while any deadline is set.
    private func tick() {
        let now = NIODeadline.now()
        var expired: [ConnectionTimer] = []
        for timer in timers {
            if let deadline = timer.deadline, deadline <= now { expired.append(timer) }
        }
        // Callbacks may set, move or clear any deadline (their own or another's): each is checked again as it fires.
        for timer in expired { timer.expire(now: now) }
        if timers.isEmpty {
            ticking = false
        } else {
            scheduleTick()
        }
    }
}
