import Synchronization

/// In-process wake-ups: an enqueue through `JobQueue` wakes this process's idle workers of that
/// queue at once. (Across processes, PostgreSQL's NOTIFY does it; SQLite has one process.)
public final class JobWakeups: Sendable {
    private let workers = Mutex<[String: [JobWorker]]>([:])

    public init() {}

    public func register(_ worker: JobWorker) {
        workers.withLock { $0[worker.options.queue, default: []].append(worker) }
    }

    public func notify(queue: String) {
        for worker in workers.withLock({ $0[queue] ?? [] }) { worker.notify() }
    }
}
