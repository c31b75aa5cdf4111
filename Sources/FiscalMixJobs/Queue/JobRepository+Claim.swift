public import FiscalMixCore
import FiscalMixDatabase
public import Foundation
import PostgresNIO
import SQLKit

/// Claiming and completing: the hot path of every worker.
extension JobRepository {
    /// Claims up to `limit` due jobs of `queue`, highest priority first, then oldest `run_at`,
    /// leasing them to `worker` and opening a run for each. On PostgreSQL concurrent claimers
    /// skip each other's rows (`FOR UPDATE SKIP LOCKED`); SQLite has a single writer.
    public func claim(queue: String, worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [(job: Job, runId: UUID)] {
        try await completeAndClaim([], queue: queue, worker: worker, limit: limit, now: now, leaseUntil: leaseUntil).claimed
    }

    /// A job whose handler returned, waiting to be recorded.
    public struct Completion: Sendable {
        public let jobId: UUID
        public let runId: UUID
        public init(jobId: UUID, runId: UUID) {
            self.jobId = jobId
            self.runId = runId
        }
    }

    /// Records finished jobs and claims the next ones atomically: a busy worker commits once per
    /// pass instead of twice per job. Returns the ids it completed (not those whose lease was
    /// lost to the reaper) and the claimed jobs, highest priority first.
    ///
    /// PostgreSQL does it in one statement (data-modifying CTEs: one round trip); SQLite, where a
    /// round trip is a function call, in a transaction of plain statements.
    public func completeAndClaim(
        _ completions: [Completion], queue: String, worker: String, limit: Int, now: Date,
        leaseUntil: Date
    ) async throws -> (completed: Set<UUID>, claimed: [(job: Job, runId: UUID)]) {
        let runIds = (0..<max(0, limit)).map { _ in ID.make(now: now) }
        let result: (completed: Set<UUID>, claimed: [(job: Job, runId: UUID)])
        switch database.dialect {
        case .postgres:
            result = try await completeAndClaimInOneStatement(
                completions, queue: queue, worker: worker, limit: limit, now: now,
                leaseUntil: leaseUntil, runIds: runIds)
        case .sqlite:
            result = try await database.transaction { tx in
                let completed = try await Self.complete(completions, worker: worker, now: now, in: tx)
                let claimed = try await Self.claim(
                    queue: queue, worker: worker, limit: limit, now: now, leaseUntil: leaseUntil,
                    runIds: runIds, in: tx)
                return (completed, claimed)
            }
        }
        return (result.completed, result.claimed.sorted { ($0.job.priority, $1.job.runAt) > ($1.job.priority, $0.job.runAt) })
    }

    static func complete(_ completions: [Completion], worker: String, now: Date, in tx: Transaction) async throws -> Set<UUID> {
        guard !completions.isEmpty else { return [] }
        let rows = try await tx.query(
            """
            UPDATE jobs SET status = 'success', finished_at = \(bind: now), updated_at = \(bind: now), lease_owner = NULL,
                   lease_expires_at = NULL
            WHERE id IN (\(binds: completions.map(\.jobId))) AND lease_owner = \(bind: worker) AND status = 'running' RETURNING id
            """)
        let completed = Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
        let runIds = completions.filter { completed.contains($0.jobId) }.map(\.runId)
        if !runIds.isEmpty {
            try await tx.execute("UPDATE job_runs SET status = 'success', finished_at = \(bind: now) WHERE id IN (\(binds: runIds))")
        }
        return completed
    }

    static func claim(
        queue: String, worker: String, limit: Int, now: Date, leaseUntil: Date, runIds: [UUID],
        in tx: Transaction
    ) async throws -> [(job: Job, runId: UUID)] {
        guard limit > 0 else { return [] }
        let rows = try await tx.query(
            """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = \(bind: worker),
                   lease_expires_at = \(bind: leaseUntil), started_at = \(bind: now), updated_at = \(bind: now)
            WHERE id IN (
                SELECT id FROM jobs WHERE status = 'queued' AND queue = \(bind: queue) AND run_at <= \(bind: now)
                ORDER BY priority DESC, run_at LIMIT \(bind: limit)\(unsafeRaw: tx.dialect.claimLocking))
            RETURNING *
            """)
        guard !rows.isEmpty else { return [] }
        var claimed: [(Job, UUID)] = []
        var insert: SQLQueryString = "INSERT INTO job_runs (id, job_id, attempt, status, worker, started_at) VALUES "
        for (i, row) in rows.enumerated() {
            let job = try Self.decode(row)
            if i > 0 { insert += ", " }
            insert += "(\(bind: runIds[i]), \(bind: job.id), \(bind: job.attempts), 'running', \(bind: worker), \(bind: now))"
            claimed.append((job, runIds[i]))
        }
        try await tx.execute(insert)
        return claimed
    }

    /// The PostgreSQL pass as one statement (`JobPassStatement`): one round trip, no
    /// BEGIN/COMMIT around it.
    func completeAndClaimInOneStatement(
        _ completions: [Completion], queue: String, worker: String, limit: Int, now: Date,
        leaseUntil: Date, runIds: [UUID]
    ) async throws -> (completed: Set<UUID>, claimed: [(job: Job, runId: UUID)]) {
        guard let driver = database.driver as? PostgresDriver else { throw StorageError.invalidConfiguration("not a PostgreSQL driver") }
        let rows = try await driver.rows(
            of: JobPassStatement(
                now: now, completedJobIds: completions.map(\.jobId), completedRunIds: completions.map(\.runId), worker: worker,
                leaseUntil: leaseUntil, queue: queue, limit: limit, runIds: runIds))
        var completed: Set<UUID> = []
        var claimed: [(job: Job, runId: UUID)] = []
        claimed.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            let columns = row.makeRandomAccess()
            if i == 0, let ids = try columns["completed_ids"].decode([UUID]?.self) { completed = Set(ids) }
            if let runId = try columns["run_id"].decode(UUID?.self) { claimed.append((try JobPassStatement.job(from: columns), runId)) }
        }
        return (completed, claimed)
    }
}
