public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// Jobs written in another slice's transaction, beside the rows they work on (a delivery and
/// its job, a document and its ciência): both commit or neither does. The PostgreSQL insert
/// trigger wakes idle workers at commit; `JobQueue.announce` adds the metrics where wanted.
public enum JobsInTransaction {
    /// Inserts one job, or returns the one already enqueued under its idempotency key.
    public static func enqueue(_ new: NewJob, now: Date, in tx: Transaction) async throws -> (job: Job, created: Bool) {
        try await JobRepository.enqueue(new, now: now, in: tx)
    }

    /// Inserts many jobs in as few statements as the dialect allows.
    public static func enqueueBatch(_ jobs: [NewJob], now: Date, in tx: Transaction) async throws {
        try await JobRepository.enqueueBatch(jobs, now: now, in: tx)
    }

    /// Removes jobs still queued that turned out not to be needed (their rows were not written).
    public static func discard(_ jobIds: [UUID], in tx: Transaction) async throws {
        try await JobRepository.delete(jobIds, in: tx)
    }
}
