import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixEventLog
@testable import FiscalMixJobs

/// A migrated test database (SQLite, or PostgreSQL with FISCALMIX_TEST_DATABASE_URL).
func withJobsDatabase(_ body: (Database) async throws -> Void) async throws {
    try await withJobsDatabase { database, _ in try await body(database) }
}

/// The same, also passing the database URL so a test can open a second pool ("another process").
func withJobsDatabase(_ body: (Database, String) async throws -> Void) async throws {
    try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "jobs-test"), body)
}

@Suite struct JobQueueTests {
    @Test func anIdempotencyKeyEnqueuesOnceUnderConcurrency() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            let results = try await withThrowingTaskGroup(of: (UUID, Bool).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let r = try await repository.enqueue(NewJob(type: "sync.dfe", idempotencyKey: "company-1:2026-11-23"), now: now)
                        return (r.job.id, r.created)
                    }
                }
                return try await group.reduce(into: [(UUID, Bool)]()) { $0.append($1) }
            }
            #expect(Set(results.map(\.0)).count == 1)
            #expect(results.filter(\.1).count == 1)
            // Another type with the same key is another job.
            #expect(try await repository.enqueue(NewJob(type: "export.zip", idempotencyKey: "company-1:2026-11-23"), now: now).created)
        }
    }

    /// A batch honours idempotency keys too (the sync's ciência jobs are enqueued per batch, and a
    /// batch may be written again after a crash).
    @Test func aBatchSkipsJobsWhoseKeyIsTaken() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            func batch(_ keys: [String]) -> [NewJob] { keys.map { NewJob(type: "fiscal.manifest", idempotencyKey: "ciencia:\($0)") } }
            try await repository.enqueueBatch(batch(["a", "b", "c"]), now: now)
            try await repository.enqueueBatch(batch(["b", "c", "d"]) + [NewJob(type: "other", idempotencyKey: "ciencia:a")], now: now)
            let keys = try await database.query(
                "SELECT type, idempotency_key FROM jobs WHERE idempotency_key IS NOT NULL ORDER BY type, idempotency_key"
            ).map {
                "\(try $0.decode(column: "type", as: String.self)):\(try $0.decode(column: "idempotency_key", as: String.self))"
            }
            #expect(
                keys == [
                    "fiscal.manifest:ciencia:a", "fiscal.manifest:ciencia:b", "fiscal.manifest:ciencia:c", "fiscal.manifest:ciencia:d",
                    "other:ciencia:a",
                ])
        }
    }

    /// The claim decodes its rows its own way on PostgreSQL (by type, from the driver's rows);
    /// what it hands a handler must be the job as stored, every column.
    @Test func aClaimedJobIsTheStoredJobColumnForColumn() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            let job = try await repository.enqueue(
                NewJob(
                    type: "export.zip", queue: "exports", payload: #"{"cnpj":"12345678000195","n":1}"#,
                    priority: 7, maxAttempts: 3, idempotencyKey: "company-1:export",
                    correlationId: "corr-42"), now: now
            ).job
            let first = try #require(
                try await repository.claim(
                    queue: "exports", worker: "w1", limit: 5, now: now,
                    leaseUntil: now.addingTimeInterval(30)
                ).first)
            #expect(first.job == (try await repository.find(id: job.id, accountId: nil)))
            #expect(first.job.payload?.contains("12345678000195") == true)  // jsonb may reorder keys: the value survives
            #expect(first.job.priority == 7 && first.job.attempts == 1 && first.job.leaseOwner == "w1")
            // A failed attempt leaves its error on the row; the next claim must carry it too.
            _ = try await repository.fail(
                first.job, runId: first.runId, worker: "w1", runStatus: .failed, error: "SEFAZ answered 656",
                retryAt: now, now: now)
            let second = try #require(
                try await repository.claim(
                    queue: "exports", worker: "w2", limit: 5, now: now.addingTimeInterval(1),
                    leaseUntil: now.addingTimeInterval(31)
                ).first)
            #expect(second.job == (try await repository.find(id: job.id, accountId: nil)))
            #expect(second.job.lastError?.contains("SEFAZ answered 656") == true)
            #expect(second.job.attempts == 2 && second.job.idempotencyKey == "company-1:export" && second.job.correlationId == "corr-42")
        }
    }

    @Test func concurrentClaimersNeverShareAJob() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            try await repository.enqueueBatch((0..<200).map { NewJob(type: "noop", payload: #"{"n":\#($0)}"#) }, now: now)
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await repository.claim(
                                queue: "default", worker: "w\(worker)", limit: 10, now: now,
                                leaseUntil: now.addingTimeInterval(30))
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.job.id)
                        }
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(claimed.count == 200)
            #expect(Set(claimed).count == 200)
        }
    }

    @Test func claimsFollowPriorityThenRunAtAndSkipFutureJobs() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            let low = try await repository.enqueue(NewJob(type: "t", priority: 0, runAt: now.addingTimeInterval(-20)), now: now).job
            let high = try await repository.enqueue(NewJob(type: "t", priority: 5, runAt: now.addingTimeInterval(-1)), now: now).job
            let older = try await repository.enqueue(NewJob(type: "t", priority: 0, runAt: now.addingTimeInterval(-30)), now: now).job
            _ = try await repository.enqueue(NewJob(type: "t", priority: 9, runAt: now.addingTimeInterval(60)), now: now)
            _ = try await repository.enqueue(NewJob(type: "t", queue: "other", priority: 9), now: now)
            let order = try await repository.claim(queue: "default", worker: "w", limit: 10, now: now, leaseUntil: now.addingTimeInterval(30))
            #expect(order.map(\.job.id) == [high.id, older.id, low.id])
            #expect(order.allSatisfy { $0.job.status == .running && $0.job.attempts == 1 && $0.job.leaseOwner == "w" })
        }
    }

    @Test func retriesWaitForTheirTimeThenTheJobGoesDeadWithADeadLetter() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            var now = Date()
            let job = try await repository.enqueue(NewJob(type: "webhook.deliver", maxAttempts: 3), now: now).job
            let policy = RetryPolicy.schedule([10, 20])
            var rng = SystemRandomNumberGenerator()
            for attempt in 1...3 {
                let claimed = try await repository.claim(queue: "default", worker: "w", limit: 1, now: now, leaseUntil: now.addingTimeInterval(30))
                let (current, runId) = try #require(claimed.first)
                #expect(current.attempts == attempt)
                let delay = policy.delay(afterAttempt: attempt, using: &rng)
                let outcome = try await repository.fail(
                    current, runId: runId, worker: "w", runStatus: .failed, error: "HTTP 503",
                    retryAt: now.addingTimeInterval(delay), now: now)
                if attempt < 3 {
                    #expect(outcome == .retry(at: now.addingTimeInterval(delay)))
                    let waiting = try #require(try await repository.find(id: job.id, accountId: nil))
                    #expect(waiting.status == .queued && waiting.attempts == attempt)  // queued, not failed
                    // Not due yet…
                    #expect(
                        try await repository.claim(
                            queue: "default", worker: "w", limit: 1, now: now.addingTimeInterval(delay - 1),
                            leaseUntil: now.addingTimeInterval(30)
                        ).isEmpty)
                    now = now.addingTimeInterval(delay)  // …due now.
                } else {
                    #expect(outcome == .dead)
                }
            }
            #expect(try await repository.find(id: job.id, accountId: nil)?.status == .dead)
            let letters = try await database.query("SELECT reason, job_type FROM dead_letters WHERE job_id = \(bind: job.id)")
            #expect(letters.count == 1)
            #expect(try letters.first?.decode(column: "reason", as: String.self) == "HTTP 503")
            let runs = try await repository.runs(jobId: job.id)
            #expect(runs.map(\.attempt) == [1, 2, 3] && runs.allSatisfy { $0.status == .failed })

            #expect(try await repository.requeue(JobFilter(), ids: [job.id], now: now) == 1)
            let again = try #require(try await repository.find(id: job.id, accountId: nil))
            #expect(again.status == .queued && again.attempts == 0)
        }
    }

    @Test func anExpiredLeaseIsReapedCountingTheAttempt() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            let job = try await repository.enqueue(NewJob(type: "sync.dfe", maxAttempts: 2), now: now).job
            _ = try await repository.claim(queue: "default", worker: "dead-worker", limit: 1, now: now, leaseUntil: now.addingTimeInterval(5))
            #expect(counts(try await repository.reapExpiredLeases(now: now.addingTimeInterval(4))) == [0, 0])
            #expect(counts(try await repository.reapExpiredLeases(now: now.addingTimeInterval(6))) == [1, 0])
            let requeued = try #require(try await repository.find(id: job.id, accountId: nil))
            #expect(requeued.status == .queued && requeued.attempts == 1 && requeued.leaseOwner == nil)
            #expect(try await repository.runs(jobId: job.id).first?.status == .lost)
            // The dead worker's late answer is refused: it no longer holds the lease.
            let second = try await repository.claim(
                queue: "default", worker: "alive", limit: 1, now: now.addingTimeInterval(6),
                leaseUntil: now.addingTimeInterval(36))
            #expect(second.first?.job.attempts == 2)
            #expect(try await repository.complete(job, runId: second[0].runId, worker: "dead-worker", now: now) == false)
            // Out of attempts on the next expiry: dead.
            #expect(counts(try await repository.reapExpiredLeases(now: now.addingTimeInterval(40))) == [0, 1])
            #expect(try await repository.find(id: job.id, accountId: nil)?.status == .dead)
            let events = try await EventLog(database: database).list(accountId: nil, page: PageRequest())
            #expect(events.items.map(\.type) == ["job.dead", "job.lease_expired", "job.lease_expired"])
            #expect(events.items.first?.data["job_id"] == job.id.lowercased)
        }
    }

    @Test func queuedJobsCanBeCancelledButRunningOnesCannot() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            let a = try await repository.enqueue(NewJob(type: "t"), now: now).job
            let b = try await repository.enqueue(NewJob(type: "t", runAt: now.addingTimeInterval(100)), now: now).job
            _ = try await repository.claim(queue: "default", worker: "w", limit: 1, now: now, leaseUntil: now.addingTimeInterval(30))
            #expect(try await repository.cancel(id: a.id, accountId: nil, now: now) == false)
            #expect(try await repository.cancel(id: b.id, accountId: nil, now: now))
            #expect(try await repository.find(id: b.id, accountId: nil)?.status == .cancelled)
        }
    }

    @Test func fullJitterBackoffStaysUnderItsCeilingAndCap() {
        var rng = SystemRandomNumberGenerator()
        let policy = RetryPolicy.exponential(base: 2, cap: 60)
        for attempt in 1...10 {
            let ceiling = min(60, 2 * pow(2, Double(attempt - 1)))
            for _ in 0..<200 {
                let d = policy.delay(afterAttempt: attempt, using: &rng)
                #expect(d >= 0 && d <= ceiling)
            }
        }
        #expect(RetryPolicy.schedule([5, 300]).delay(afterAttempt: 7, using: &rng) == 300)
    }
}

/// (re-queued, dead) counts of a reaper pass.
func counts(_ reaped: (requeued: [Job], dead: [Job])) -> [Int] { [reaped.requeued.count, reaped.dead.count] }
