import FiscalMixCore
import FiscalMixDatabase
import Foundation
import PostgresNIO

/// A worker's pass on PostgreSQL — record the finished jobs, claim the next ones — as one
/// statement of data-modifying CTEs with eight typed binds, prepared once per connection and run
/// with one generic plan on the driver's hot-path connections (`PostgresDriver.rows(of:)`, which
/// says why). With the generic plan a single handler drained 1.5-2.1x as many jobs a second as
/// with a plan made per pass, alternating runs.
///
/// So the statement is written for a generic plan that cannot go wrong whatever the statistics
/// say: every access to `jobs` and `job_runs` has an index condition (primary key, or
/// `idx_jobs_claim` for the claim). The finished jobs' status test is written `status || ''` so
/// the small partial lease index (`WHERE status = 'running'`) is not a candidate: planned while
/// few jobs ran, a generic plan chose it and would scan every running job's entry per pass.
///
/// The claimed ids come back as an array, so the update finds them by primary key whatever the
/// planner guesses about the subquery; with `id IN (SELECT … LIMIT n)` it could hash-join them
/// against a scan of `jobs` (docs/jobs.md, "Measurements behind the code"). Run ids are made by the caller (UUID v7) and
/// zipped with that array by `unnest` (by position; the ones left over meet no job), so each
/// claimed row carries its run id and the runs are inserted straight from the claim: numbering
/// the claimed rows and joining the runs back to them made a pass slower. The update still names the array in
/// `id = ANY(…)`: joined to the `unnest` alone, a generic plan made from an empty table's
/// statistics hashed a full read of `jobs_pkey` (`JobPassPlanTests` caught it).
///
/// The CTEs touch different rows (`done` running ones, `claimed` queued ones), as PostgreSQL
/// requires; the outer join always yields one row, so the completed ids come back even when
/// nothing was claimed. `set_config(…, true)` makes the statement's own implicit transaction
/// commit without waiting for the log flush: a crash can lose only the last passes, whose jobs
/// then run again (at-least-once), while a busy worker no longer waits one flush per pass.
struct JobPassStatement: PostgresPreparedStatement {
    static let name = "fiscalmix_job_pass_v4"
    static let sql = """
        WITH done AS (
            UPDATE jobs SET status = 'success', finished_at = $1, updated_at = $1, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ANY($2) AND lease_owner = $4 AND (status || '') = 'running'
            RETURNING id
        ), done_runs AS (
            UPDATE job_runs SET status = 'success', finished_at = $1
            WHERE id = ANY($3) AND job_id = ANY(ARRAY(SELECT id FROM done))
        ), picked AS (
            SELECT ARRAY(
                SELECT id FROM jobs WHERE status = 'queued' AND queue = $6 AND run_at <= $1
                ORDER BY priority DESC, run_at LIMIT $7 FOR UPDATE SKIP LOCKED) AS ids
        ), claimed AS (
            UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = $4, lease_expires_at = $5, started_at = $1,
                   updated_at = $1
            FROM unnest((SELECT ids FROM picked), $8::uuid[]) AS paired(job_id, run_id)
            WHERE jobs.id = ANY((SELECT ids FROM picked)::uuid[]) AND jobs.id = paired.job_id
            RETURNING jobs.*, paired.run_id
        ), runs AS (
            INSERT INTO job_runs (id, job_id, attempt, status, worker, started_at)
            SELECT run_id, id, attempts, 'running', $4, $1 FROM claimed
        )
        SELECT (SELECT array_agg(id) FROM done) AS completed_ids, c.*
        FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed
        LEFT JOIN claimed AS c ON true
        """

    let now: Date
    let completedJobIds: [UUID]
    let completedRunIds: [UUID]
    let worker: String
    let leaseUntil: Date
    let queue: String
    let limit: Int
    let runIds: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(now)
        bindings.append(completedJobIds)
        bindings.append(completedRunIds)
        bindings.append(worker)
        bindings.append(leaseUntil)
        bindings.append(queue)
        bindings.append(limit)
        bindings.append(runIds)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension JobPassStatement {
    /// A claimed job from the pass's row, decoded by type (the columns of `jobs`, as
    /// `JobRepository.decode` reads them through SQLKit elsewhere).
    static func job(from columns: PostgresRandomAccessRow) throws -> Job {
        let status = try columns["status"].decode(String.self)
        guard let parsed = Job.Status(rawValue: status) else { throw StorageError.corruptRow("column status holds unknown value '\(status)'") }
        return Job(
            id: try columns["id"].decode(UUID.self), accountId: try columns["account_id"].decode(UUID?.self),
            type: try columns["type"].decode(String.self), queue: try columns["queue"].decode(String.self), status: parsed,
            priority: try columns["priority"].decode(Int.self), attempts: try columns["attempts"].decode(Int.self),
            maxAttempts: try columns["max_attempts"].decode(Int.self), runAt: try columns["run_at"].decode(Date.self),
            payload: try columns["payload"].decode(String?.self), idempotencyKey: try columns["idempotency_key"].decode(String?.self),
            leaseOwner: try columns["lease_owner"].decode(String?.self),
            leaseExpiresAt: try columns["lease_expires_at"].decode(Date?.self), lastError: try columns["last_error"].decode(String?.self),
            correlationId: try columns["correlation_id"].decode(String?.self), createdAt: try columns["created_at"].decode(Date.self),
            updatedAt: try columns["updated_at"].decode(Date.self), startedAt: try columns["started_at"].decode(Date?.self),
            finishedAt: try columns["finished_at"].decode(Date?.self))
    }
}
