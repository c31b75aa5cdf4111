public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixEventLog
public import Foundation
import SQLKit

public struct JobFilter: Sendable {
    public var accountId: UUID?
    public var type: String?
    public var status: Job.Status?
    public var queue: String?
    public var createdFrom: Date?
    public var createdTo: Date?
    public init(
        accountId: UUID? = nil, type: String? = nil, status: Job.Status? = nil, queue: String? = nil,
        createdFrom: Date? = nil, createdTo: Date? = nil
    ) {
        self.accountId = accountId
        self.type = type
        self.status = status
        self.queue = queue
        self.createdFrom = createdFrom
        self.createdTo = createdTo
    }
}

/// The durable queue: enqueue (idempotent per account and type), claim with a lease, renew,
/// finish, retry, dead-letter, reap expired leases, requeue, cancel.
public struct JobRepository: Sendable {
    /// The LISTEN/NOTIFY channel on which enqueues announce their queue (PostgreSQL).
    /// Fixed: baseline migration 6 notifies on this name.
    public static let notificationChannel = "fiscalmix_jobs"

    let database: Database
    public init(database: Database) { self.database = database }

    /// Enqueues a job. With an idempotency key, a second enqueue of the same key for the same
    /// account and type returns the first job and creates nothing (`created` is false).
    public func enqueue(_ new: NewJob, now: Date) async throws -> (job: Job, created: Bool) {
        let rows = try await database.query(Self.insert(new, now: now))
        // On PostgreSQL the insert notifies idle workers (trigger of migration 6).
        if let row = rows.first { return (try Self.decode(row), true) }
        guard let existing = try await database.first(try Self.existing(new)) else { throw StorageError.corruptRow("idempotent job vanished") }
        return (try Self.decode(existing), false)
    }

    /// As `enqueue`, inside the caller's transaction: the job exists exactly when what it follows
    /// up was committed.
    public func enqueue(_ new: NewJob, now: Date, in tx: Transaction) async throws -> (job: Job, created: Bool) {
        try await Self.enqueue(new, now: now, in: tx)
    }

    static func enqueue(_ new: NewJob, now: Date, in tx: Transaction) async throws -> (job: Job, created: Bool) {
        if let row = try await tx.query(Self.insert(new, now: now)).first { return (try Self.decode(row), true) }
        guard let existing = try await tx.first(try Self.existing(new)) else { throw StorageError.corruptRow("idempotent job vanished") }
        return (try Self.decode(existing), false)
    }

    static func insert(_ new: NewJob, now: Date) -> SQLQueryString {
        """
        INSERT INTO jobs (id, account_id, type, queue, status, priority, attempts, max_attempts, run_at, payload, idempotency_key,
                          correlation_id, created_at, updated_at)
        VALUES (\(bind: new.id ?? ID.make(now: now)), \(bind: new.accountId), \(bind: new.type), \(bind: new.queue), 'queued', \(bind: new.priority), 0,
                \(bind: new.maxAttempts), \(bind: new.runAt ?? now), \(json: new.payload), \(bind: new.idempotencyKey),
                \(bind: new.correlationId), \(bind: now), \(bind: now))
        ON CONFLICT DO NOTHING
        RETURNING *
        """
    }

    /// The job that already holds `new`'s idempotency key (the insert did nothing).
    static func existing(_ new: NewJob) throws -> SQLQueryString {
        guard let key = new.idempotencyKey else { throw StorageError.corruptRow("job insert returned nothing") }
        var sql: SQLQueryString = "SELECT * FROM jobs WHERE type = \(bind: new.type) AND idempotency_key = \(bind: key)"
        if let accountId = new.accountId { sql += " AND account_id = \(bind: accountId)" } else { sql += " AND account_id IS NULL" }
        return sql
    }

    /// Enqueues many jobs in one statement per 500 (no idempotency keys).
    /// Enqueues all of `jobs` or none (one transaction, multi-row inserts of 500).
    public func enqueueBatch(_ jobs: [NewJob], now: Date) async throws {
        try await database.transaction { tx in try await enqueueBatch(jobs, now: now, in: tx) }
    }

    /// Enqueues inside the caller's transaction, so the jobs exist exactly when what they follow up
    /// was committed. A job whose idempotency key is taken is skipped, as `enqueue` does.
    public func enqueueBatch(_ jobs: [NewJob], now: Date, in tx: Transaction) async throws {
        try await Self.enqueueBatch(jobs, now: now, in: tx)
    }

    static func enqueueBatch(_ jobs: [NewJob], now: Date, in tx: Transaction) async throws {
        if tx.dialect == .postgres {
            for chunkStart in stride(from: 0, to: jobs.count, by: 5_000) {
                try await tx.execute(Self.unnestInsert(jobs[chunkStart..<min(chunkStart + 5_000, jobs.count)], now: now))
            }
            return
        }
        for chunkStart in stride(from: 0, to: jobs.count, by: 500) {
            let chunk = jobs[chunkStart..<min(chunkStart + 500, jobs.count)]
            var sql: SQLQueryString = """
                INSERT INTO jobs (id, account_id, type, queue, status, priority, attempts, max_attempts, run_at, payload, idempotency_key,
                                  correlation_id, created_at, updated_at) VALUES
                """
            for (i, new) in chunk.enumerated() {
                sql += """
                    \(unsafeRaw: i == 0 ? "" : ",")(\(bind: new.id ?? ID.make(now: now)), \(bind: new.accountId), \(bind: new.type), \(bind: new.queue),
                    'queued', \(bind: new.priority), 0, \(bind: new.maxAttempts), \(bind: new.runAt ?? now), \(json: new.payload),
                    \(bind: new.idempotencyKey), \(bind: new.correlationId), \(bind: now), \(bind: now))
                    """
            }
            sql += " ON CONFLICT DO NOTHING"
            try await tx.execute(sql)
        }
    }

    /// PostgreSQL: the batch as parallel arrays expanded by `unnest` — eleven binds however many
    /// jobs, where a multi-row VALUES takes fourteen a job for the server to parse and plan
    /// (figures in docs/jobs.md, "Measurements behind the code"). Array elements cannot be NULL
    /// here, so a bit mask per job says which optional columns are (1 account, 2 payload,
    /// 4 idempotency key, 8 correlation id).
    static func unnestInsert(_ jobs: ArraySlice<NewJob>, now: Date) -> SQLQueryString {
        var ids: [UUID] = [], accounts: [UUID] = [], types: [String] = [], queues: [String] = [], priorities: [Int] = []
        var maxAttempts: [Int] = [], runAts: [Date] = [], payloads: [String] = [], keys: [String] = [], correlations: [String] = []
        var nulls: [Int] = []
        for job in jobs {
            ids.append(job.id ?? ID.make(now: now))
            accounts.append(job.accountId ?? .unnestPlaceholder)
            types.append(job.type)
            queues.append(job.queue)
            priorities.append(job.priority)
            maxAttempts.append(job.maxAttempts)
            runAts.append(job.runAt ?? now)
            payloads.append(job.payload ?? "")
            keys.append(job.idempotencyKey ?? "")
            correlations.append(job.correlationId ?? "")
            nulls.append(
                (job.accountId == nil ? 1 : 0) | (job.payload == nil ? 2 : 0) | (job.idempotencyKey == nil ? 4 : 0)
                    | (job.correlationId == nil ? 8 : 0))
        }
        return """
            INSERT INTO jobs (id, account_id, type, queue, status, priority, attempts, max_attempts, run_at, payload, idempotency_key,
                              correlation_id, created_at, updated_at)
            SELECT id, CASE WHEN n & 1 = 0 THEN account_id END, type, queue, 'queued', priority, 0, max_attempts, run_at,
                   CASE WHEN n & 2 = 0 THEN payload::jsonb END, CASE WHEN n & 4 = 0 THEN idempotency_key END,
                   CASE WHEN n & 8 = 0 THEN correlation_id END, \(bind: now), \(bind: now)
            FROM unnest(\(bind: ids)::uuid[], \(bind: accounts)::uuid[], \(bind: types)::text[], \(bind: queues)::text[],
                        \(bind: priorities)::int8[], \(bind: maxAttempts)::int8[], \(bind: runAts)::timestamptz[], \(bind: payloads)::text[],
                        \(bind: keys)::text[], \(bind: correlations)::text[], \(bind: nulls)::int8[])
                 AS t(id, account_id, type, queue, priority, max_attempts, run_at, payload, idempotency_key, correlation_id, n)
            ON CONFLICT DO NOTHING
            """
    }

    /// Extends the leases this worker holds; returns the ids it renewed.
    ///
    /// On PostgreSQL a row another transaction has locked is skipped, not waited for: that is
    /// one of this worker's passes completing the job (or a failure being recorded), which ends
    /// the lease anyway, and the next beat renews it if that transaction rolls back — there is a
    /// whole lease period for it. Waiting could deadlock: the renewal and a pass lock rows of the
    /// same jobs, and their plans need not take them in the same order (seen in a drain of 1M
    /// jobs with four passes in flight).
    public func renewLeases(ids: [UUID], worker: String, leaseUntil: Date) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await database.query(
            """
            UPDATE jobs SET lease_expires_at = \(bind: leaseUntil)
            WHERE id IN (SELECT id FROM jobs WHERE id IN (\(binds: ids)) AND lease_owner = \(bind: worker) AND status = 'running'\(unsafeRaw: database.dialect.claimLocking))
            RETURNING id
            """)
        return Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
    }

    /// Marks a held job done. False when the lease was lost (another worker may have it).
    @discardableResult
    public func complete(_ job: Job, runId: UUID, worker: String, now: Date) async throws -> Bool {
        try await completeAndClaim(
            [Completion(jobId: job.id, runId: runId)], queue: job.queue, worker: worker, limit: 0, now: now,
            leaseUntil: now
        ).completed.contains(job.id)
    }

    public enum FailureOutcome: Sendable, Equatable {
        case retry(at: Date)
        case failed
        case dead
        case leaseLost
    }

    /// Records a failed attempt: back to `queued` at `retryAt` while attempts remain, `failed`
    /// when `retryAt` is nil (do not retry), otherwise `dead` with a dead-letter row.
    public func fail(
        _ job: Job, runId: UUID, worker: String, runStatus: JobRun.Status, error: String, retryAt: Date?,
        now: Date
    ) async throws -> FailureOutcome {
        let errorJSON = jsonText(["message": error, "kind": runStatus.rawValue])
        return try await database.transaction { tx in
            try await tx.execute(
                """
                UPDATE job_runs SET status = \(bind: runStatus.rawValue), finished_at = \(bind: now), error = \(json: errorJSON)
                WHERE id = \(bind: runId)
                """)
            let outcome: FailureOutcome
            if let retryAt, job.attempts < job.maxAttempts {
                outcome = .retry(at: retryAt)
            } else if retryAt == nil {
                outcome = .failed
            } else {
                outcome = .dead
            }
            let status: String
            switch outcome {
            case .retry: status = "queued"
            case .failed: status = "failed"
            default: status = "dead"
            }
            let rows = try await tx.query(
                """
                UPDATE jobs SET status = \(bind: status), run_at = \(bind: retryAt ?? job.runAt), last_error = \(json: errorJSON),
                       lease_owner = NULL, lease_expires_at = NULL, updated_at = \(bind: now),
                       finished_at = \(bind: status == "queued" ? nil : now)
                WHERE id = \(bind: job.id) AND lease_owner = \(bind: worker) AND status = 'running' RETURNING id
                """)
            guard !rows.isEmpty else { return .leaseLost }
            if outcome == .dead { try await Self.deadLetter(job, reason: error, now: now, in: tx) }
            return outcome
        }
    }

    static func deadLetter(_ job: Job, reason: String, now: Date, in tx: Transaction) async throws {
        try await EventLog.insert(
            EventLogEntry(
                accountId: job.accountId, severity: .warning, type: "job.dead", message: "job \(job.type) is dead after \(job.attempts) attempts",
                data: ["job_id": job.id.lowercased, "job_type": job.type, "reason": String(reason.prefix(500))],
                correlationId: job.correlationId, createdAt: now), in: tx)
        try await tx.execute(
            """
            INSERT INTO dead_letters (id, account_id, job_id, job_type, reason, payload, created_at)
            VALUES (\(bind: ID.make(now: now)), \(bind: job.accountId), \(bind: job.id), \(bind: job.type), \(bind: reason),
                    \(json: job.payload), \(bind: now))
            """)
    }

    /// Returns jobs whose lease expired (their worker died) to the queue, counting the lost
    /// attempt; jobs out of attempts go dead. Returns the jobs re-queued and dead-lettered.
    public func reapExpiredLeases(now: Date) async throws -> (requeued: [Job], dead: [Job]) {
        try await database.transaction { tx in
            let expired = try await tx.query(
                """
                SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at < \(bind: now)\(unsafeRaw: tx.dialect.claimLocking)
                """
            ).map(Self.decode)
            var requeued: [Job] = [], dead: [Job] = []
            let error = jsonText(["message": "lease expired: the worker stopped before finishing", "kind": "lost"])
            for job in expired {
                try await tx.execute(
                    """
                    UPDATE job_runs SET status = 'lost', finished_at = \(bind: now), error = \(json: error)
                    WHERE job_id = \(bind: job.id) AND status = 'running'
                    """)
                let outOfAttempts = job.attempts >= job.maxAttempts
                try await tx.execute(
                    """
                    UPDATE jobs SET status = \(bind: outOfAttempts ? "dead" : "queued"), run_at = \(bind: now), lease_owner = NULL,
                           lease_expires_at = NULL, last_error = \(json: error), updated_at = \(bind: now)
                    WHERE id = \(bind: job.id)
                    """)
                try await EventLog.insert(
                    EventLogEntry(
                        accountId: job.accountId, severity: .warning, type: "job.lease_expired",
                        message: "worker \(job.leaseOwner ?? "?") stopped holding job \(job.type); attempt \(job.attempts) counted",
                        data: ["job_id": job.id.lowercased, "worker": job.leaseOwner ?? ""], correlationId: job.correlationId,
                        createdAt: now), in: tx)
                if outOfAttempts {
                    try await Self.deadLetter(job, reason: "lease expired after the last attempt", now: now, in: tx)
                    dead.append(job)
                } else {
                    requeued.append(job)
                }
            }
            return (requeued, dead)
        }
    }

    /// Gives back jobs this worker holds without counting the attempt (graceful shutdown).
    public func release(ids: [UUID], worker: String, now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await database.transaction { tx in
            try await tx.execute(
                """
                UPDATE job_runs SET status = 'cancelled', finished_at = \(bind: now)
                WHERE job_id IN (\(binds: ids)) AND status = 'running' AND worker = \(bind: worker)
                """)
            try await tx.execute(
                """
                UPDATE jobs SET status = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL, run_at = \(bind: now),
                       updated_at = \(bind: now)
                WHERE id IN (\(binds: ids)) AND lease_owner = \(bind: worker) AND status = 'running'
                """)
        }
    }

    public func find(id: UUID, accountId: UUID?) async throws -> Job? {
        var sql: SQLQueryString = "SELECT * FROM jobs WHERE id = \(bind: id)"
        if let accountId { sql += " AND account_id = \(bind: accountId)" }
        return try await database.first(sql).map(Self.decode)
    }

    public func runs(jobId: UUID) async throws -> [JobRun] {
        try await database.query("SELECT * FROM job_runs WHERE job_id = \(bind: jobId) ORDER BY started_at, attempt").map { row in
            JobRun(
                id: try row.get("id"), jobId: try row.get("job_id"), attempt: try row.get("attempt"), status: try row.enumValue("status"),
                worker: try row.get("worker"), startedAt: try row.get("started_at"), finishedAt: try row.get("finished_at"),
                error: try row.get("error"))
        }
    }

    public func list(_ filter: JobFilter, page: PageRequest) async throws -> Page<Job> {
        var sql: SQLQueryString = "SELECT * FROM jobs WHERE 1 = 1"
        if let accountId = filter.accountId { sql += " AND account_id = \(bind: accountId)" }
        if let type = filter.type { sql += " AND type = \(bind: type)" }
        if let status = filter.status { sql += " AND status = \(bind: status.rawValue)" }
        if let queue = filter.queue { sql += " AND queue = \(bind: queue)" }
        if let from = filter.createdFrom { sql += " AND created_at >= \(bind: from)" }
        if let to = filter.createdTo { sql += " AND created_at < \(bind: to)" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    /// Puts dead (or failed) jobs matching the filter back in the queue with fresh attempts.
    public func requeue(_ filter: JobFilter, ids: [UUID]?, now: Date) async throws -> Int {
        var sql: SQLQueryString = """
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = \(bind: now), finished_at = NULL, updated_at = \(bind: now)
            WHERE status IN ('dead', 'failed')
            """
        if let accountId = filter.accountId { sql += " AND account_id = \(bind: accountId)" }
        if let type = filter.type { sql += " AND type = \(bind: type)" }
        if let from = filter.createdFrom { sql += " AND updated_at >= \(bind: from)" }
        if let ids { sql += " AND id IN (\(binds: ids.isEmpty ? [UUID()] : ids))" }
        sql += " RETURNING id"
        let statement = sql
        return try await database.transaction { tx in
            let rows = try await tx.query(statement)
            let requeued = try rows.map { try $0.decode(column: "id", as: UUID.self) }
            if !requeued.isEmpty {
                try await tx.execute(
                    "UPDATE dead_letters SET requeued_at = \(bind: now) WHERE job_id IN (\(binds: requeued)) AND requeued_at IS NULL")
            }
            return requeued.count
        }
    }

    /// Cancels a job that has not started. False if it is running or finished.
    public func cancel(id: UUID, accountId: UUID?, now: Date) async throws -> Bool {
        var sql: SQLQueryString =
            "UPDATE jobs SET status = 'cancelled', finished_at = \(bind: now), updated_at = \(bind: now) WHERE id = \(bind: id) AND status = 'queued'"
        if let accountId { sql += " AND account_id = \(bind: accountId)" }
        return !(try await database.query(sql + " RETURNING id")).isEmpty
    }

    /// Takes out jobs enqueued in the caller's transaction that turned out not to be needed.
    public func delete(ids: [UUID], in tx: Transaction) async throws {
        try await Self.delete(ids, in: tx)
    }

    static func delete(_ ids: [UUID], in tx: Transaction) async throws {
        guard !ids.isEmpty else { return }
        try await tx.execute("DELETE FROM jobs WHERE id IN (\(binds: ids)) AND status = 'queued'")
    }

    public func countByStatus(queue: String? = nil) async throws -> [Job.Status: Int] {
        var sql: SQLQueryString = "SELECT status, COUNT(*) AS n FROM jobs"
        if let queue { sql += " WHERE queue = \(bind: queue)" }
        sql += " GROUP BY status"
        var counts: [Job.Status: Int] = [:]
        for row in try await database.query(sql) { counts[try row.enumValue("status")] = try row.get("n") }
        return counts
    }

    /// Jobs waiting or running, per queue and status: the queue-depth gauges.
    public func activeCounts() async throws -> [(queue: String, status: Job.Status, count: Int)] {
        let rows = try await database.query(
            """
            SELECT queue, status, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY queue, status
            """)
        return try rows.map { (try $0.get("queue"), try $0.enumValue("status"), try $0.get("n")) }
    }

    static func decode(_ row: any SQLRow) throws -> Job {
        Job(
            id: try row.get("id"), accountId: try row.get("account_id"), type: try row.get("type"), queue: try row.get("queue"),
            status: try row.enumValue("status"), priority: try row.get("priority"), attempts: try row.get("attempts"),
            maxAttempts: try row.get("max_attempts"), runAt: try row.get("run_at"), payload: try row.get("payload"),
            idempotencyKey: try row.get("idempotency_key"), leaseOwner: try row.get("lease_owner"),
            leaseExpiresAt: try row.get("lease_expires_at"), lastError: try row.get("last_error"), correlationId: try row.get("correlation_id"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"), startedAt: try row.get("started_at"),
            finishedAt: try row.get("finished_at"))
    }
}
