import Synchronization

/// Wakes waiting worker loops: `signal()` from anywhere, `wait()` in the loops. A signal wakes
/// every loop waiting; one sent while none waits is remembered once, so no wake-up is lost
/// between checks (a loop that was busy looks at the whole state before it waits again).
/// After `stop()` no wait blocks: a loop busy when shutdown began must not sleep after it.
final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, stopped: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, false, []))

    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.waiters.isEmpty {
                state.pending = true
                return []
            }
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Wakes every waiter, now and from now on.
    func stop() {
        state.withLock { $0.stopped = true }
        signal()
    }

    /// Waits for the next signal (or returns at once for one sent since the last wait). No
    /// timer per wait: the worker's ticker signals every idle-poll interval instead.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending || state.stopped {
                    state.pending = false
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
