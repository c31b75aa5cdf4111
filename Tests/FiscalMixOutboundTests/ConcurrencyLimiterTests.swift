import FiscalMixCore
import FiscalMixOutbound
import Foundation
import Synchronization
import Testing

/// The per-key cap on calls in flight: waiters go in arrival order, the queue is bounded, and a
/// cancelled waiter leaves without taking or leaking a slot.
@Suite struct ConcurrencyLimiterTests {
    @Test func waitersGoInOrderTheQueueIsBoundedAndCancelledWaitersLeave() async throws {
        let limiter = ConcurrencyLimiter()
        let config = Policy.Concurrency(maxInFlight: 1, maxQueued: 2)
        try await limiter.acquire("k", config)
        let order = Arrivals()

        let first = Task {
            try await limiter.acquire("k", config)
            order.add("first")
        }
        try await Task.sleep(for: .milliseconds(50))
        let cancelled = Task { try await limiter.acquire("k", config) }
        try await Task.sleep(for: .milliseconds(50))
        // Two are waiting: a third is refused at once.
        await #expect(throws: OutboundError.self) { try await limiter.acquire("k", config) }
        // The second waiter gives up; it leaves the queue without taking a slot.
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        let second = Task {
            try await limiter.acquire("k", config)
            order.add("second")
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(order.names.isEmpty)

        limiter.release("k")  // the holder's slot passes to the first waiter, in order
        try await first.value
        limiter.release("k")
        try await second.value
        #expect(order.names == ["first", "second"])
        limiter.release("k")
        // Every slot came back: the cap admits one again at once.
        try await limiter.acquire("k", config)
        limiter.release("k")
    }

    @Test func aCancelledTaskNeverWaits() async throws {
        let limiter = ConcurrencyLimiter()
        let config = Policy.Concurrency(maxInFlight: 1, maxQueued: 10)
        try await limiter.acquire("k", config)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await limiter.acquire("k", config)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        limiter.release("k")
        try await limiter.acquire("k", config)
    }
}

/// Names in the order they arrived, shared by concurrent tasks.
final class Arrivals: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ name: String) { list.withLock { $0.append(name) } }
    var names: [String] { list.withLock { $0 } }
}
