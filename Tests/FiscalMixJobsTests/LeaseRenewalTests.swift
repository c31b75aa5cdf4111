import FiscalMixCore
import Foundation
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

@Suite struct LeaseRenewalTests {
    /// A heartbeat renews this worker's running jobs and no one else's. On PostgreSQL it skips a
    /// job whose row another transaction holds (a pass completing it) instead of waiting for it:
    /// a renewal and a pass that wait for each other's rows deadlock, and a drain of 1M jobs with
    /// four passes in flight met that.
    @Test func aRenewalSkipsARowAnotherTransactionHoldsInsteadOfWaiting() async throws {
        try await withJobsDatabase { database in
            let repository = JobRepository(database: database)
            let now = Date()
            for i in 0..<3 { try await repository.enqueue(NewJob(type: "noop", payload: #"{"i":\#(i)}"#), now: now) }
            let mine = try await repository.completeAndClaim(
                [], queue: "default", worker: "w1", limit: 2, now: now,
                leaseUntil: now.addingTimeInterval(30)
            ).claimed.map(\.job.id)
            let theirs = try await repository.completeAndClaim(
                [], queue: "default", worker: "w2", limit: 1, now: now,
                leaseUntil: now.addingTimeInterval(30)
            ).claimed.map(\.job.id)
            #expect(mine.count == 2 && theirs.count == 1)
            let later = now.addingTimeInterval(600)
            #expect(try await repository.renewLeases(ids: mine + theirs, worker: "w1", leaseUntil: later) == Set(mine))
            let untouched = try #require(try await repository.find(id: theirs[0], accountId: nil)?.leaseExpiresAt)
            #expect(abs(untouched.timeIntervalSince(now.addingTimeInterval(30))) < 0.001)
            // SQLite has one writer at a time and no row locks: nothing more to see there.
            guard database.dialect == .postgres else { return }

            let (held, free) = (mine[0], mine[1])
            let locked = AsyncStream<Void>.makeStream()
            // Holds the row for 3 s: a renewal that waited for it would take that long.
            let holder = Task {
                try await database.transaction { tx in
                    try await tx.execute("SELECT id FROM jobs WHERE id = \(bind: held) FOR UPDATE")
                    locked.continuation.yield()
                    try await Task.sleep(for: .seconds(3))
                }
            }
            for await _ in locked.stream { break }
            let started = ContinuousClock.now
            let renewed = try await repository.renewLeases(ids: mine, worker: "w1", leaseUntil: later.addingTimeInterval(60))
            let waited = ContinuousClock.now - started
            try await holder.value
            #expect(renewed == [free])
            #expect(waited < .seconds(2), "the renewal waited \(waited) for a row another transaction held")
            let skipped = try #require(try await repository.find(id: held, accountId: nil)?.leaseExpiresAt)
            #expect(abs(skipped.timeIntervalSince(later)) < 0.001, "the held job keeps its lease until the next beat")
            let extended = try #require(try await repository.find(id: free, accountId: nil)?.leaseExpiresAt)
            #expect(abs(extended.timeIntervalSince(later.addingTimeInterval(60))) < 0.001)
        }
    }
}
