import Synchronization

/// Turns many concurrent one-row calls into a few many-row ones. Each caller submits one item
/// and waits for its own answer; items that arrive while `maxConcurrent` batches are already
/// running wait and leave together in the next batch (up to `maxBatch`). Nothing waits on a
/// timer: an idle system runs each item at once, a busy one forms batches as large as its
/// backlog — the same shape as a database's group commit.
///
/// `run` gets the items in submission order and answers one output per item, in that order.
/// When a batch of several fails, each of its items is tried again alone, so one bad item
/// fails only its own caller.
public final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    public typealias Run = @Sendable ([Item]) async throws -> [Output]

    private struct Waiter {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var waiting: [Waiter] = []
        var running = 0
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let maxConcurrent: Int
    private let run: Run

    public init(maxBatch: Int = 256, maxConcurrent: Int = 2, run: @escaping Run) {
        precondition(maxBatch > 0 && maxConcurrent > 0)
        self.maxBatch = maxBatch
        self.maxConcurrent = maxConcurrent
        self.run = run
    }

    /// Runs `item` in the next batch and returns its output. A caller's cancellation does not
    /// cancel the batch it is part of (the others in it still need their answers).
    public func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let batch = state.withLock { state in
                state.waiting.append(Waiter(item: item, continuation: continuation))
                return Self.take(&state, maxBatch: maxBatch, maxConcurrent: maxConcurrent)
            }
            if let batch { start(batch) }
        }
    }

    /// The next batch, when a slot is free and something waits (the slot is taken).
    private static func take(_ state: inout State, maxBatch: Int, maxConcurrent: Int) -> [Waiter]? {
        guard state.running < maxConcurrent, !state.waiting.isEmpty else { return nil }
        state.running += 1
        let count = min(maxBatch, state.waiting.count)
        defer { state.waiting.removeFirst(count) }
        return Array(state.waiting.prefix(count))
    }

    /// Runs batches in one task until nothing is left waiting, then frees the slot.
    private func start(_ first: [Waiter]) {
        Task {
            var batch: [Waiter]? = first
            while let current = batch {
                await execute(current)
                batch = state.withLock { state in
                    state.running -= 1
                    return Self.take(&state, maxBatch: maxBatch, maxConcurrent: maxConcurrent)
                }
            }
        }
    }

    private func execute(_ batch: [Waiter]) async {
        do {
            let outputs = try await checkedRun(batch.map(\.item))
            for (waiter, output) in zip(batch, outputs) { waiter.continuation.resume(returning: output) }
        } catch  where batch.count > 1 {
            for waiter in batch {
                do {
                    waiter.continuation.resume(returning: try await checkedRun([waiter.item])[0])
                } catch {
                    waiter.continuation.resume(throwing: error)
                }
            }
        } catch {
            batch[0].continuation.resume(throwing: error)
        }
    }

    private func checkedRun(_ items: [Item]) async throws -> [Output] {
        let outputs = try await run(items)
        guard outputs.count == items.count else { preconditionFailure("GroupCommit: \(outputs.count) outputs for \(items.count) items") }
        return outputs
    }
}
