import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Synchronization
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

/// Runs a worker as a service until `until` holds (or a timeout), then shuts it down gracefully.
func runWorker(
    _ worker: JobWorker, until done: @escaping @Sendable () async throws -> Bool, timeout: Duration = .seconds(60),
    afterShutdownStarts: (@Sendable () async throws -> Void)? = nil
) async throws {
    let group = ServiceGroup(configuration: .init(services: [worker], logger: Logger(label: "worker-test")))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let deadline = ContinuousClock.now + timeout
        while try await !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        await group.triggerGracefulShutdown()
        try await afterShutdownStarts?()
        try await tasks.waitForAll()
    }
}

final class Counter: Sendable {
    private let state = Mutex<(current: Int, peak: Int, total: Int)>((0, 0, 0))
    func enter() {
        state.withLock {
            $0.current += 1; $0.peak = max($0.peak, $0.current); $0.total += 1
        }
    }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var total: Int { state.withLock { $0.total } }
}

@Suite struct JobWorkerTests {
    func options(concurrency: Int = 4, lease: Duration = .seconds(30), deadline: Duration = .seconds(5)) -> JobWorker.Options {
        var o = JobWorker.Options()
        o.concurrency = concurrency
        o.lease = lease
        o.heartbeat = .milliseconds(200)
        o.idlePoll = .milliseconds(100)
        o.shutdownDeadline = deadline
        return o
    }

    @Test func aSingleHandlerDrainsInstantJobsAndRecordsEachOnce() async throws {
        try await withJobsDatabase { database in
            let counter = Counter()
            let registry = JobRegistry([JobDefinition(type: "instant") { _ in counter.enter() }])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            try await queue.enqueueBatch((0..<60).map { NewJob(type: "instant", payload: #"{"i":\#($0)}"#) })
            var o = options(concurrency: 1)
            o.idlePoll = .seconds(30)  // only the worker's own wake-ups can keep it going
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: o)
            let started = ContinuousClock.now
            try await runWorker(worker, until: { try await queue.repository.countByStatus()[.success] == 60 }, timeout: .seconds(15))
            #expect(try await queue.repository.countByStatus()[.success] == 60)
            #expect(counter.total == 60, "each job ran once")
            // Under 20 s tells a drain kept going by wake-ups from one that waited on the 30 s poll,
            // with room for a loaded machine (10.8 s seen while the PostgreSQL suite ran beside it).
            #expect(ContinuousClock.now - started < .seconds(20), "drained and shut down without waiting on a poll or the deadline")
            let sample = try await queue.repository.list(JobFilter(type: "instant"), page: PageRequest()).items[0]
            #expect(try await queue.repository.runs(jobId: sample.id).map(\.status) == [.success])
        }
    }

    @Test func runsEveryJobWithinTheConcurrencyCap() async throws {
        try await withJobsDatabase { database in
            let counter = Counter()
            let registry = JobRegistry([
                JobDefinition(type: "noop") { _ in
                    counter.enter()
                    try await Task.sleep(for: .milliseconds(20))
                    counter.leave()
                }
            ])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            for i in 0..<40 { try await queue.enqueue(NewJob(type: "noop", payload: #"{"i":\#(i)}"#)) }
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options(concurrency: 3))
            try await runWorker(worker) { try await queue.repository.countByStatus()[.success] == 40 }
            #expect(try await queue.repository.countByStatus()[.success] == 40)
            #expect(counter.peak <= 3 && counter.peak >= 2)
            #expect(counter.total == 40)
        }
    }

    @Test func passesInFlightTogetherNeverLeaseMoreThanConcurrencyPlusPrefetch() async throws {
        try await withJobsDatabase { database in
            let counter = Counter()
            let leasedPeak = Mutex(0)
            let repository = JobRepository(database: database)
            let registry = JobRegistry([
                JobDefinition(type: "noop") { _ in
                    counter.enter()
                    // Every job leased to the worker is `running`: those in handlers and those held.
                    let leased = try await repository.countByStatus()[.running] ?? 0
                    leasedPeak.withLock { $0 = max($0, leased) }
                    try await Task.sleep(for: .milliseconds(5))
                    counter.leave()
                }
            ])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            try await queue.enqueueBatch((0..<150).map { NewJob(type: "noop", payload: #"{"i":\#($0)}"#) })
            var o = options(concurrency: 3)
            o.prefetch = 4
            o.passesInFlight = 3
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: o)
            try await runWorker(worker) { try await queue.repository.countByStatus()[.success] == 150 }
            #expect(try await queue.repository.countByStatus()[.success] == 150)
            #expect(counter.total == 150, "each job ran once")
            #expect(counter.peak <= 3)
            #expect(leasedPeak.withLock { $0 } <= 7, "at most concurrency + prefetch leased at once")
            #expect(leasedPeak.withLock { $0 } >= 4, "held jobs were prefetched")
        }
    }

    /// A claim batch smaller than the capacity caps each pass: the passes together still fill the
    /// capacity, but none claims more than the batch. Each pass stamps its runs with the one time
    /// it read from the clock, and this clock moves on at every read.
    @Test func noPassClaimsMoreThanTheClaimBatch() async throws {
        try await withJobsDatabase { database in
            let counter = Counter()
            let registry = JobRegistry([JobDefinition(type: "noop") { _ in counter.enter() }])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            try await queue.enqueueBatch((0..<120).map { NewJob(type: "noop", payload: #"{"i":\#($0)}"#) })
            var o = options(concurrency: 4)
            o.prefetch = 36
            o.claimBatch = 5
            let worker = JobWorker(
                database: database, registry: registry, clock: TickingClock(start: Date().addingTimeInterval(1)),
                logger: Logger(label: "w"), options: o)
            try await runWorker(worker) { try await queue.repository.countByStatus()[.success] == 120 }
            #expect(counter.total == 120, "each job ran once")
            let passes = try await database.query("SELECT started_at, COUNT(*) AS n FROM job_runs GROUP BY started_at")
                .map { try $0.decode(column: "n", as: Int.self) }
            #expect(passes.reduce(0, +) == 120)
            #expect(passes.max() == 5, "passes claimed \(passes.sorted(by: >).prefix(5)) at most")
        }
    }

    @Test func failuresRetryThenSucceedAndDoNotRetryEndsFailed() async throws {
        try await withJobsDatabase { database in
            let registry = JobRegistry([
                JobDefinition(type: "flaky", maxAttempts: 5, retry: .schedule([0.05])) { context in
                    if context.attempt < 3 { throw URLError(.timedOut) }
                },
                JobDefinition(type: "bad-input") { _ in throw JobFailure.doNotRetry(message: "CNPJ not found at SEFAZ") },
            ])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            let flaky = try await queue.enqueue(NewJob(type: "flaky")).job
            let bad = try await queue.enqueue(NewJob(type: "bad-input")).job
            #expect(flaky.maxAttempts == 5)
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options())
            try await runWorker(worker) {
                let a = try await queue.repository.find(id: flaky.id, accountId: nil)?.status
                let b = try await queue.repository.find(id: bad.id, accountId: nil)?.status
                return a == .success && b == .failed
            }
            #expect(try await queue.repository.find(id: flaky.id, accountId: nil)?.attempts == 3)
            #expect(try await queue.repository.runs(jobId: flaky.id).map(\.status) == [.failed, .failed, .success])
            let failed = try #require(try await queue.repository.find(id: bad.id, accountId: nil))
            #expect(failed.status == .failed && failed.attempts == 1)
            #expect(failed.lastError?.contains("CNPJ not found at SEFAZ") == true)
        }
    }

    @Test func aHandlerPastItsTimeoutIsCancelledAndCountedAsAFailedAttempt() async throws {
        try await withJobsDatabase { database in
            let registry = JobRegistry([
                JobDefinition(type: "slow", maxAttempts: 1, timeout: .milliseconds(200)) { _ in
                    try await Task.sleep(for: .seconds(30))
                }
            ])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            let job = try await queue.enqueue(NewJob(type: "slow")).job
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options())
            let started = ContinuousClock.now
            try await runWorker(worker) { try await queue.repository.find(id: job.id, accountId: nil)?.status == .dead }
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(try await queue.repository.runs(jobId: job.id).map(\.status) == [.timedOut])
        }
    }

    @Test func gracefulShutdownLetsInFlightJobsFinish() async throws {
        try await withJobsDatabase { database in
            let started = Counter()
            let registry = JobRegistry([
                JobDefinition(type: "report") { _ in
                    started.enter()
                    try await Task.sleep(for: .milliseconds(600))
                }
            ])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            let job = try await queue.enqueue(NewJob(type: "report")).job
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options())
            try await runWorker(worker) { started.total == 1 }
            #expect(try await queue.repository.find(id: job.id, accountId: nil)?.status == .success)
        }
    }

    @Test func jobsStillRunningAtTheDeadlineAreReleasedWithoutSpendingAnAttempt() async throws {
        try await withJobsDatabase { database in
            let started = Counter()
            let registry = JobRegistry([
                JobDefinition(type: "huge-export") { _ in
                    started.enter()
                    try await Task.sleep(for: .seconds(30))
                }
            ])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            let job = try await queue.enqueue(NewJob(type: "huge-export")).job
            let worker = JobWorker(
                database: database, registry: registry, logger: Logger(label: "w"),
                options: options(deadline: .milliseconds(300)))
            try await runWorker(worker) { started.total == 1 }
            let released = try #require(try await queue.repository.find(id: job.id, accountId: nil))
            #expect(released.status == .queued && released.attempts == 0 && released.leaseOwner == nil)
            #expect(try await queue.repository.runs(jobId: job.id).map(\.status) == [.cancelled])
        }
    }

    @Test func aJobOfADeadWorkerIsFinishedByAnotherAfterItsLeaseExpires() async throws {
        try await withJobsDatabase { database in
            let registry = JobRegistry([JobDefinition(type: "sync") { _ in }])
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())
            let job = try await queue.enqueue(NewJob(type: "sync")).job
            // A worker claimed it with a 1 s lease and died (nothing renews it).
            let now = Date()
            _ = try await queue.repository.claim(queue: "default", worker: "killed", limit: 1, now: now, leaseUntil: now.addingTimeInterval(1))
            let worker = JobWorker(
                database: database, registry: registry, logger: Logger(label: "w"),
                options: options(lease: .seconds(1)))
            try await runWorker(worker) { try await queue.repository.find(id: job.id, accountId: nil)?.status == .success }
            let finished = try #require(try await queue.repository.find(id: job.id, accountId: nil))
            #expect(finished.status == .success && finished.attempts == 2)
            #expect(try await queue.repository.runs(jobId: job.id).map(\.status) == [.lost, .success])
        }
    }
}

@Suite struct JobNotificationTests {
    @Test(.enabled(if: TestDatabase.postgresURL != nil, "LISTEN/NOTIFY is PostgreSQL's"))
    func anEnqueueInAnotherProcessWakesAnIdleWorkerAtOnce() async throws {
        try await withJobsDatabase { database, url in
            // "Another process": a second connection pool on the same database enqueues.
            let producer = try Database.open(url: url, logger: Logger(label: "producer"))
            defer { Task { try? await producer.shutdown() } }
            let done = Counter()
            let registry = JobRegistry([JobDefinition(type: "ping") { _ in done.enter() }])
            var options = JobWorker.Options()
            options.idlePoll = .seconds(30)  // polling alone would take 30 s
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options)
            let enqueued = Counter()
            try await runWorker(
                worker,
                until: {
                    if enqueued.total == 0 {
                        enqueued.enter()
                        try await Task.sleep(for: .milliseconds(500))  // let the listener subscribe
                        _ = try await JobRepository(database: producer).enqueue(NewJob(type: "ping"), now: Date())
                        return false
                    }
                    return done.total == 1
                }, timeout: .seconds(10))
            #expect(done.total == 1, "woken by NOTIFY, well before the 30 s idle poll")
        }
    }
}

@Suite struct JobWakeupTests {
    @Test func anEnqueueInThisProcessWakesAnIdleWorkerAtOnce() async throws {
        try await withJobsDatabase { database in
            let done = Counter()
            let registry = JobRegistry([JobDefinition(type: "ping") { _ in done.enter() }])
            var options = JobWorker.Options()
            options.idlePoll = .seconds(30)  // polling alone would take 30 s
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options)
            let wakeups = JobWakeups()
            wakeups.register(worker)
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock(), wakeups: wakeups)
            let enqueued = Counter()
            let started = ContinuousClock.now
            try await runWorker(
                worker,
                until: {
                    if enqueued.total == 0 {
                        enqueued.enter()
                        try await Task.sleep(for: .milliseconds(300))  // the worker has found the queue empty
                        try await queue.enqueue(NewJob(type: "ping"))
                        return false
                    }
                    return done.total == 1
                }, timeout: .seconds(10))
            #expect(done.total == 1)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    /// Each job is enqueued the moment the previous one's handler returns, while the pass that
    /// records it (and claims) is out: the wake-up then reaches a loop with no room, and the
    /// notice must survive for the loop that has. Polling alone would take 30 s a job.
    @Test func anEnqueueDuringAPassIsNotLostBetweenLoops() async throws {
        try await withJobsDatabase { database in
            let handled = Counter()
            let registry = JobRegistry([JobDefinition(type: "ping") { _ in handled.enter() }])
            var options = JobWorker.Options()
            options.concurrency = 1
            options.passesInFlight = 2
            options.idlePoll = .seconds(30)
            let worker = JobWorker(database: database, registry: registry, logger: Logger(label: "w"), options: options)
            let wakeups = JobWakeups()
            wakeups.register(worker)
            let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock(), wakeups: wakeups)
            let rounds = 25
            let stalled = Mutex<Int?>(nil)
            try await runWorker(
                worker,
                until: {
                    for round in 0..<rounds {
                        try await queue.enqueue(NewJob(type: "ping", payload: #"{"round":\#(round)}"#))
                        let deadline = ContinuousClock.now + .seconds(5)
                        while handled.total <= round, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
                        if handled.total <= round {
                            stalled.withLock { $0 = round }
                            return true
                        }
                    }
                    return true
                })
            #expect(stalled.withLock { $0 } == nil, "a job enqueued during a pass waited for the idle poll")
            #expect(handled.total == rounds)
        }
    }
}

/// A wall clock that moves on by a millisecond at every read.
final class TickingClock: WallClock {
    private let reads = Mutex(0)
    private let start: Date
    init(start: Date) { self.start = start }
    func now() -> Date {
        let n = reads.withLock {
            $0 += 1; return $0
        }
        return start.addingTimeInterval(Double(n) / 1000)
    }
}
