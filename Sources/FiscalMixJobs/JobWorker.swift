import FiscalMixCore
import FiscalMixStorage
import Foundation
import Logging
import ServiceLifecycle
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
    let wake = WakeSignal()

    public init(database: Database, registry: JobRegistry, clock: any WallClock = SystemWallClock(), logger: Logger, options: Options = Options(),
                metrics: JobMetrics = JobMetrics()) {
        self.metrics = metrics
        repository = JobRepository(database: database)
        self.database = database
        self.registry = registry
        self.clock = clock
        self.logger = logger
        self.options = options
    }

    /// Wakes an idle worker (called after an enqueue in this process).
    public func notify() { wake.signal() }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.heartbeatLoop() }
            group.addTask { await self.reaperLoop() }
            if database.driver.supportsNotifications { group.addTask { await self.listenLoop() } }
            await withGracefulShutdownHandler {
                await self.claimLoop()
            } onGracefulShutdown: {
                self.wake.signal()
            }
            await self.drain()
            group.cancelAll()
        }
    }

    var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    /// Each pass records the jobs that finished since the last one and claims as many new jobs
    /// as there are free handlers, in one transaction (group commit): one commit per pass
    /// instead of two per job.
    func claimLoop() async {
        while !stopping {
            let done = finished.withLock { buffer in defer { buffer.removeAll() }; return buffer }
            let free = options.concurrency - inFlight.withLock { $0.count }
            var claimed = 0
            var failed = false
            if free > 0 || !done.isEmpty {
                do {
                    let now = clock.now()
                    let result = try await repository.completeAndClaim(done.map(\.completion), queue: options.queue, worker: options.workerName,
                                                                       limit: max(0, free), now: now,
                                                                       leaseUntil: now.addingTimeInterval(options.lease.seconds))
                    for (completion, type) in done where result.completed.contains(completion.jobId) {
                        metrics.count(JobMetrics.succeeded, type: type)
                    }
                    claimed = result.claimed.count
                    for (job, runId) in result.claimed {
                        metrics.count(JobMetrics.claimed, type: job.type)
                        metrics.record(JobMetrics.waitTime, type: job.type, seconds: now.timeIntervalSince(job.runAt))
                        start(job, runId: runId)
                    }
                } catch {
                    // Keep the finished jobs for the next pass; their leases are still renewed.
                    finished.withLock { $0.insert(contentsOf: done, at: 0) }
                    failed = true
                    logger.error("job claim failed", metadata: ["queue": "\(options.queue)", "error": "\(String(reflecting: error))"])
                }
            }
            if !failed {
                if claimed == free && free > 0 { continue }  // more may be waiting
                if !finished.withLock({ $0.isEmpty }) { continue }
            }
            // Idle or full: wait for a wake-up (enqueue, a job finishing, shutdown) or the poll interval.
            await wake.wait(timeout: options.idlePoll)
        }
    }

    /// Records finished jobs now (at shutdown, when the claim loop has stopped).
    func flushFinished() async {
        let done = finished.withLock { buffer in defer { buffer.removeAll() }; return buffer }
        guard !done.isEmpty else { return }
        do {
            let result = try await repository.completeAndClaim(done.map(\.completion), queue: options.queue, worker: options.workerName,
                                                               limit: 0, now: clock.now(), leaseUntil: clock.now())
            for (completion, type) in done where result.completed.contains(completion.jobId) {
                metrics.count(JobMetrics.succeeded, type: type)
            }
        } catch {
            logger.error("recording finished jobs at shutdown failed; they will run again after their leases expire",
                         metadata: ["count": "\(done.count)", "error": "\(String(reflecting: error))"])
        }
    }

    func start(_ job: Job, runId: UUID) {
        let task = Task {
            await self.execute(job, runId: runId)
            _ = self.inFlight.withLock { $0.removeValue(forKey: job.id) }
            self.wake.signal()
        }
        inFlight.withLock { $0[job.id] = task }
    }

    func execute(_ job: Job, runId: UUID) async {
        let worker = options.workerName
        var logger = self.logger
        logger[metadataKey: "job_id"] = "\(job.id.lowercased)"
        logger[metadataKey: "job_type"] = "\(job.type)"
        guard let definition = registry[job.type] else {
            _ = try? await repository.fail(job, runId: runId, worker: worker, runStatus: .failed,
                                           error: "no handler for job type \(job.type)", retryAt: nil, now: clock.now())
            logger.error("no handler for job type")
            metrics.count(JobMetrics.failed, type: job.type)
            return
        }
        let started = ContinuousClock.now
        let outcome = await Self.runWithTimeout(definition.timeout) { try await definition.handler(JobContext(job: job)) }
        metrics.record(JobMetrics.duration, type: job.type, seconds: (ContinuousClock.now - started).seconds)
        if releasing.withLock({ $0.contains(job.id) }) { return }
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
                case .doNotRetry(let why)?:
                    retryAt = nil
                    message = why
                case nil:
                    var rng = SystemRandomNumberGenerator()
                    retryAt = now.addingTimeInterval(definition.retry.delay(afterAttempt: job.attempts, using: &rng))
                }
                let result = try await repository.fail(job, runId: runId, worker: worker, runStatus: timedOut ? .timedOut : .failed,
                                                       error: message, retryAt: retryAt, now: now)
                logger.warning("job attempt failed", metadata: ["attempt": "\(job.attempts)", "outcome": "\(result)"])
                if result != .leaseLost { metrics.count(JobMetrics.failed, type: job.type) }
                if result == .dead { metrics.count(JobMetrics.dead, type: job.type) }
            }
        } catch {
            // The lease will expire and the reaper will put the job back: nothing is lost.
            logger.error("recording a job outcome failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    enum Outcome { case success, failure(any Error, timedOut: Bool) }

    static func runWithTimeout(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do { try await body(); return .success } catch { return .failure(error, timedOut: false) }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .failure(CancellationError(), timedOut: true)
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(CancellationError(), timedOut: false)
        }
    }

    /// PostgreSQL LISTEN: an enqueue in any process wakes this worker within milliseconds, so the
    /// idle poll can stay at one second.
    func listenLoop() async {
        let queue = options.queue
        while !Task.isCancelled {
            do {
                try await database.driver.listen(channel: JobRepository.notificationChannel) { [wake] payload in
                    if payload == queue { wake.signal() }
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
            let ids = inFlight.withLock { Array($0.keys) } + finished.withLock { $0.map(\.completion.jobId) }
            guard !ids.isEmpty else { continue }
            let now = clock.now()
            do {
                _ = try await repository.renewLeases(ids: ids, worker: options.workerName, leaseUntil: now.addingTimeInterval(options.lease.seconds))
            } catch {
                logger.error("lease renewal failed", metadata: ["error": "\(String(reflecting: error))"])
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
            } catch {
                logger.error("lease reaper failed", metadata: ["error": "\(String(reflecting: error))"])
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
        let remaining = inFlight.withLock { tasks -> [UUID] in
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

extension Duration {
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
