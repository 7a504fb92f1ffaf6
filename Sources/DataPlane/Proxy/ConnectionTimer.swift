import NIOCore

/// One deadline per connection, rescheduled lazily: moving the deadline later costs nothing (the scheduled task
/// reschedules itself when it fires early), so per-request timeouts don't schedule a task per read. The scheduled
/// task holds the timer and the timer its owner's callback strongly (a weak reference would move their reference
/// counting to a slower side table for good): the owner calls ``cancel()`` and drops the timer when it goes away.
final class ConnectionTimer {
    /// What the deadline is for.
    private(set) var purpose: ProxyHandler.TimerPurpose?
    private var deadline: NIODeadline?
    private var scheduled: Scheduled<Void>?
    private var scheduledAt: NIODeadline?
    private let eventLoop: any EventLoop
    private let onExpiry: () -> Void

    /// A timer on `eventLoop` that calls `onExpiry` when a deadline passes.
    init(eventLoop: any EventLoop, onExpiry: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.onExpiry = onExpiry
    }

    /// Sets the deadline and what it is for.
    func set(_ purpose: ProxyHandler.TimerPurpose, deadline: NIODeadline) {
        self.purpose = purpose
        self.deadline = deadline
        if let scheduledAt, scheduledAt <= deadline { return }
        scheduled?.cancel()
        schedule(at: deadline)
    }

    /// Clears the deadline.
    func cancel() {
        purpose = nil
        deadline = nil
        scheduled?.cancel()
        scheduled = nil
        scheduledAt = nil
    }

    private func schedule(at time: NIODeadline) {
        scheduledAt = time
        scheduled = eventLoop.assumeIsolated().scheduleTask(deadline: time) { self.fired() }
    }

    private func fired() {
        scheduled = nil
        scheduledAt = nil
        guard let deadline else { return }
        if NIODeadline.now() < deadline {
            schedule(at: deadline)
        } else {
            onExpiry()
        }
    }
}
