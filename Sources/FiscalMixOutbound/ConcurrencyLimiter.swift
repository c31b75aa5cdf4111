import FiscalMixCore

/// At most N calls in flight per policy key; the rest wait in order in a bounded queue.
public actor ConcurrencyLimiter {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Slot {
        var inFlight = 0
        var waiters: [Waiter] = []
    }

    private var slots: [String: Slot] = [:]
    private var nextId: UInt64 = 0

    public init() {}

    /// Waits for a slot; throws `queueFull` when the queue is full, `CancellationError` when the
    /// waiting task is cancelled.
    public func acquire(_ key: String, _ config: Policy.Concurrency) async throws {
        var slot = slots[key] ?? Slot()
        if slot.inFlight < config.maxInFlight, slot.waiters.isEmpty {
            slot.inFlight += 1
            slots[key] = slot
            return
        }
        guard slot.waiters.count < config.maxQueued else {
            throw OutboundError(.queueFull, "Too many calls are waiting for this connector (\(config.maxQueued) queued).")
        }
        nextId += 1
        let id = nextId
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                var slot = slots[key] ?? Slot()
                slot.waiters.append(Waiter(id: id, continuation: continuation))
                slots[key] = slot
            }
        } onCancel: {
            Task { await self.cancel(key, id) }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    public func release(_ key: String) {
        guard var slot = slots[key] else { return }
        if slot.waiters.isEmpty {
            slot.inFlight -= 1
        } else {
            slot.waiters.removeFirst().continuation.resume()
        }
        slots[key] = slot.inFlight == 0 && slot.waiters.isEmpty ? nil : slot
    }

    private func cancel(_ key: String, _ id: UInt64) {
        guard var slot = slots[key], let index = slot.waiters.firstIndex(where: { $0.id == id }) else { return }
        slot.waiters.remove(at: index).continuation.resume(throwing: CancellationError())
        slots[key] = slot
    }
}
