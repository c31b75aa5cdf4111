public import FiscalMixCore
import Synchronization

/// At most N calls in flight per policy key; the rest wait in order in a bounded queue.
/// A lock rather than an actor: every outside call passes here twice, and a lock costs no hop
/// between executors.
public final class ConcurrencyLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Slot {
        var inFlight = 0
        var waiters: [Waiter] = []
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var nextId: UInt64 = 0
        /// Waiters given an id and not yet granted a slot or cancelled.
        var pending: Set<UInt64> = []
        /// Waiters cancelled before they were queued (the cancellation handler ran first).
        var cancelled: Set<UInt64> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Waits for a slot; throws `queueFull` when the queue is full, `CancellationError` when the
    /// waiting task is cancelled.
    public func acquire(_ key: String, _ config: Policy.Concurrency) async throws {
        let id: UInt64? = try state.withLock { state in
            var slot = state.slots[key] ?? Slot()
            if slot.inFlight < config.maxInFlight, slot.waiters.isEmpty {
                slot.inFlight += 1
                state.slots[key] = slot
                return nil
            }
            guard slot.waiters.count < config.maxQueued else {
                throw OutboundError(.queueFull, "Too many calls are waiting for this connector (\(config.maxQueued) queued).")
            }
            state.nextId += 1
            state.pending.insert(state.nextId)
            return state.nextId
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Next { case wait, go, cancelled }
                let next: Next = state.withLock { state in
                    if state.cancelled.remove(id) != nil {
                        state.pending.remove(id)
                        return .cancelled
                    }
                    var slot = state.slots[key] ?? Slot()
                    defer { state.slots[key] = slot }
                    // A slot freed since the first look: take it rather than queue behind nobody.
                    if slot.inFlight < config.maxInFlight, slot.waiters.isEmpty {
                        slot.inFlight += 1
                        state.pending.remove(id)
                        return .go
                    }
                    slot.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                switch next {
                case .wait: break
                case .go: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            cancel(key, id)
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    public func release(_ key: String) {
        let next: Waiter? = state.withLock { state in
            guard var slot = state.slots[key] else { return nil }
            var waiter: Waiter?
            if slot.waiters.isEmpty {
                slot.inFlight -= 1
            } else {
                let first = slot.waiters.removeFirst()
                state.pending.remove(first.id)
                waiter = first
            }
            state.slots[key] = slot.inFlight == 0 && slot.waiters.isEmpty ? nil : slot
            return waiter
        }
        next?.continuation.resume()
    }

    private func cancel(_ key: String, _ id: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            guard state.pending.remove(id) != nil else { return nil }  // already has its slot
            guard var slot = state.slots[key], let index = slot.waiters.firstIndex(where: { $0.id == id }) else {
                // Not queued yet: the continuation will find this and throw.
                state.pending.insert(id)
                state.cancelled.insert(id)
                return nil
            }
            defer { state.slots[key] = slot }
            return slot.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: CancellationError())
    }
}
