public import FiscalMixCore
public import FiscalMixDatabase
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs jobs of one queue: claims in batches up to its concurrency, renews leases with a
/// heartbeat, reaps expired leases of dead workers, retries with the type's policy, and on
/// graceful shutdown stops claiming, lets in-flight jobs finish within a deadline and releases
/// the rest. Delivery is at-least-once.
public final class JobWorker: Service, Sendable {
    public struct Options: Sendable {
        public var queue = "default"
        public var concurrency = 4
        public var lease: Duration = .seconds(30)
        public var heartbeat: Duration = .seconds(10)
        /// How long an idle worker waits before looking again (an enqueue in this process wakes it at once).
        public var idlePoll: Duration = .seconds(1)
        public var shutdownDeadline: Duration = .seconds(20)
        /// Jobs claimed beyond the free handlers and held, leased, until one frees up. Larger
        /// claims mean fewer commits per job; held jobs are not available to other workers.
        public var prefetch = 0
        /// The most jobs one pass claims (nil: as many as there is room for). Below the capacity
        /// (concurrency + prefetch), passes overlap: one claims while the jobs of another run,
        /// as pgqueuer's `batch_size` does beside its unbounded tasks.
        public var claimBatch: Int?
        /// How long finished jobs may wait to be recorded together with others (group commit).
        public var commitDelay: Duration = .milliseconds(5)
        /// Passes (record finished jobs, claim new ones) that may be waiting for the database at
        /// once. Two keep the worker busy while one is out; each takes a connection.
        public var passesInFlight = 2
        public var workerName = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        public init() {}
    }

    let repository: JobRepository
    let database: Database
    let registry: JobRegistry
    let clock: any WallClock
    let logger: Logger
    let metrics: JobMetrics
    let options: Options
    let inFlight = Mutex<[UUID: Task<Void, Never>]>([:])
    /// Jobs given back at shutdown: their cancelled handlers must not record a failed attempt.
    let releasing = Mutex<Set<UUID>>([])
    /// Jobs whose handler returned, recorded by the claim loop in its next transaction.
    let finished = Mutex<[(completion: JobRepository.Completion, type: String)]>([])
    /// Claimed (leased) jobs waiting for a free handler (see `Options.prefetch`).
    let ready = Mutex<[(job: Job, runId: UUID)]>([])
    /// Passes still out (see `claimLoop`): the jobs they asked for, and the finished jobs they
    /// are completing (still leased until that commits).
    let claiming = Mutex<(reserved: Int, completing: Int)>((0, 0))
    /// When each running handler must have returned, and those the watchdog cancelled for it.
    let deadlines = Mutex<[UUID: ContinuousClock.Instant]>([:])
    let timedOut = Mutex<Set<UUID>>([])
    /// Set by enqueue notifications: the queue may have new jobs even if the last claim came up short.
    let newWork = Atomic<Bool>(true)
    let wake = WakeSignal()

    public init(
        database: Database, registry: JobRegistry, clock: any WallClock = SystemWallClock(), logger: Logger, options: Options = Options(),
        metrics: JobMetrics = JobMetrics()
    ) {
        self.metrics = metrics
        repository = JobRepository(database: database)
        self.database = database
        self.registry = registry
        self.clock = clock
        self.logger = logger
        self.options = options
    }

    /// Wakes an idle worker (called after an enqueue in this process).
    public func notify() {
        newWork.store(true, ordering: .relaxed)
        wake.signal()
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.heartbeatLoop() }
            group.addTask { await self.reaperLoop() }
            group.addTask { await self.watchdogLoop() }
            group.addTask { await self.tickerLoop() }
            if database.driver.supportsNotifications { group.addTask { await self.listenLoop() } }
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { loops in
                    for _ in 0..<max(1, options.passesInFlight) { loops.addTask { await self.claimLoop() } }
                }
            } onGracefulShutdown: {
                self.wake.stop()
            }
            await self.drain()
            group.cancelAll()
        }
    }

    var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    /// Records finished jobs now (at shutdown, when the claim loop has stopped).
    func flushFinished() async {
        let done = finished.withLock { buffer in
            defer { buffer.removeAll() }; return buffer
        }
        guard !done.isEmpty else { return }
        do {
            let result = try await repository.completeAndClaim(
                done.map(\.completion), queue: options.queue, worker: options.workerName,
                limit: 0, now: clock.now(), leaseUntil: clock.now())
            countSucceeded(done, completed: result.completed)
        } catch {
            logger.error(
                "recording finished jobs at shutdown failed; they will run again after their leases expire",
                metadata: ["count": "\(done.count)", "error": "\(String(reflecting: error))"])
        }
    }

    func countSucceeded(_ done: [(completion: JobRepository.Completion, type: String)], completed: Set<UUID>) {
        for (completion, type) in done where completed.contains(completion.jobId) { metrics.count(JobMetrics.succeeded, type: type) }
    }

    /// Registers the job's task under the lock its own removal takes, so a handler that returns
    /// at once cannot remove its entry before it is added (leaving a phantom slot forever).
    func launch(_ job: Job, runId: UUID, into tasks: inout [UUID: Task<Void, Never>]) {
        tasks[job.id] = Task {
            await self.execute(job, runId: runId)
            _ = self.inFlight.withLock { $0.removeValue(forKey: job.id) }
            self.startReady()  // a held (prefetched) job takes the free handler at once
            self.wake.signal()
        }
    }

    func execute(_ job: Job, runId: UUID) async {
        let worker = options.workerName
        guard let definition = registry[job.type] else {
            _ = try? await repository.fail(
                job, runId: runId, worker: worker, runStatus: .failed,
                error: "no handler for job type \(job.type)", retryAt: nil, now: clock.now())
            logger(for: job).error("no handler for job type")
            metrics.count(JobMetrics.failed, type: job.type)
            return
        }
        let started = ContinuousClock.now
        // The handler runs in this job's own task; the watchdog cancels it at the deadline
        // (one shared timer, not one per job).
        deadlines.withLock { $0[job.id] = started + definition.timeout }
        var outcome: Outcome
        do {
            try await definition.handler(JobContext(job: job))
            outcome = .success
        } catch {
            outcome = .failure(error, timedOut: false)
        }
        deadlines.withLock { _ = $0.removeValue(forKey: job.id) }
        if timedOut.withLock({ $0.remove(job.id) }) != nil { outcome = .failure(CancellationError(), timedOut: true) }
        metrics.record(JobMetrics.duration, type: job.type, seconds: (ContinuousClock.now - started).seconds)
        if releasing.withLock({ $0.contains(job.id) }) { return }
        if case .failure = outcome, Task.isCancelled {
            // Cancelled by the watchdog: this task may no longer use the database (the pool
            // refuses cancelled callers), so the failure is recorded from a fresh task.
            await Task { await self.record(outcome, of: job, runId: runId, definition: definition) }.value
        } else {
            await record(outcome, of: job, runId: runId, definition: definition)
        }
    }

    func record(_ outcome: Outcome, of job: Job, runId: UUID, definition: JobDefinition) async {
        let worker = options.workerName
        do {
            switch outcome {
            case .success:
                finished.withLock { $0.append((JobRepository.Completion(jobId: job.id, runId: runId), job.type)) }
            case .failure(let error, let timedOut):
                let now = clock.now()
                var retryAt: Date?
                var message = timedOut ? "timed out after \(definition.timeout)" : String(describing: error)
                switch error as? JobFailure {
                case .retryAfter(let seconds, let why)?:
                    retryAt = now.addingTimeInterval(seconds)
                    message = why
                case .retryAt(let date, let why)?:
                    retryAt = date
                    message = why
                case .doNotRetry(let why)?:
                    retryAt = nil
                    message = why
                case nil:
                    var rng = SystemRandomNumberGenerator()
                    retryAt = now.addingTimeInterval(definition.retry.delay(afterAttempt: job.attempts, using: &rng))
                }
                let result = try await repository.fail(
                    job, runId: runId, worker: worker, runStatus: timedOut ? .timedOut : .failed,
                    error: message, retryAt: retryAt, now: now)
                logger(for: job).warning("job attempt failed", metadata: ["attempt": "\(job.attempts)", "outcome": "\(result)"])
                if result != .leaseLost { metrics.count(JobMetrics.failed, type: job.type) }
                if result == .dead { metrics.count(JobMetrics.dead, type: job.type) }
            }
        } catch {
            // The lease will expire and the reaper will put the job back: nothing is lost.
            logger(for: job).error("recording a job outcome failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    enum Outcome { case success, failure(any Error, timedOut: Bool) }

    /// The worker's logger with the job's id and type, made only when there is something to log
    /// (formatting the id for every job was work thrown away on the success path).
    func logger(for job: Job) -> Logger {
        var logger = self.logger
        logger[metadataKey: "job_id"] = "\(job.id.lowercased)"
        logger[metadataKey: "job_type"] = "\(job.type)"
        return logger
    }

    /// Cancels handlers that run past their type's timeout; the attempt then counts as
    /// `timed_out`. Checks at a quarter of the shortest timeout (10 ms to 1 s).
    func watchdogLoop() async {
        let tick = max(.milliseconds(10), min(.seconds(1), registry.shortestTimeout / 4))
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let overdue = deadlines.withLock { $0.filter { $0.value <= now }.map(\.key) }
            guard !overdue.isEmpty else { continue }
            timedOut.withLock { $0.formUnion(overdue) }
            inFlight.withLock { tasks in for id in overdue { tasks[id]?.cancel() } }
        }
    }

    /// PostgreSQL LISTEN: an enqueue in any process wakes this worker within milliseconds, so the
    /// idle poll can stay at one second.
    func listenLoop() async {
        let queue = options.queue
        while !Task.isCancelled {
            do {
                try await database.driver.listen(channel: JobRepository.notificationChannel) { payload in
                    if payload == queue { self.notify() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("job notification listener stopped; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    func heartbeatLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.heartbeat)
            let ids =
                inFlight.withLock { Array($0.keys) } + finished.withLock { $0.map(\.completion.jobId) }
                + ready.withLock { $0.map(\.job.id) }
            guard !ids.isEmpty else { continue }
            let now = clock.now()
            do {
                _ = try await repository.renewLeases(ids: ids, worker: options.workerName, leaseUntil: now.addingTimeInterval(options.lease.seconds))
            } catch  where !Task.isCancelled {
                logger.error("lease renewal failed", metadata: ["error": "\(String(reflecting: error))"])
            } catch {
                return
            }
        }
    }

    func reaperLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.lease / 2)
            do {
                let reaped = try await repository.reapExpiredLeases(now: clock.now())
                for job in reaped.requeued + reaped.dead { metrics.count(JobMetrics.leasesExpired, type: job.type) }
                for job in reaped.dead { metrics.count(JobMetrics.dead, type: job.type) }
                if !(reaped.requeued.isEmpty && reaped.dead.isEmpty) {
                    logger.notice("reaped expired job leases", metadata: ["requeued": "\(reaped.requeued.count)", "dead": "\(reaped.dead.count)"])
                }
            } catch  where !Task.isCancelled {
                logger.error("lease reaper failed", metadata: ["error": "\(String(reflecting: error))"])
            } catch {
                return
            }
        }
    }

    /// Graceful stop: wait for in-flight jobs up to the deadline, then cancel and release the rest.
    func drain() async {
        let deadline = ContinuousClock.now + options.shutdownDeadline
        while !inFlight.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await flushFinished()
        let held = ready.withLock { held in
            defer { held.removeAll() }; return held.map(\.job.id)
        }
        let remaining =
            held
            + inFlight.withLock { tasks -> [UUID] in
                releasing.withLock { $0.formUnion(tasks.keys) }
                for task in tasks.values { task.cancel() }
                return Array(tasks.keys)
            }
        if !remaining.isEmpty {
            do {
                try await repository.release(ids: remaining, worker: options.workerName, now: clock.now())
                logger.notice("released unfinished jobs at shutdown", metadata: ["count": "\(remaining.count)"])
            } catch {
                logger.error("releasing jobs at shutdown failed; their leases will expire", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
        await flushFinished()  // any that finished while the others were being released
    }
}
