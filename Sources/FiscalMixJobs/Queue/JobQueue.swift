public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// Enqueues jobs, applying the registry's defaults (max attempts per type).
public struct JobQueue: Sendable {
    let repository: JobRepository
    let types: JobTypeDefaults
    let clock: any WallClock
    let metrics: JobMetrics
    let wakeups: JobWakeups?

    public init(
        database: Database, registry: JobRegistry, clock: any WallClock, metrics: JobMetrics = JobMetrics(),
        wakeups: JobWakeups? = nil
    ) {
        self.init(database: database, types: JobTypeDefaults(registry), clock: clock, metrics: metrics, wakeups: wakeups)
    }

    /// A queue whose registry is filled later (`JobTypeDefaults.use`): the composition root builds
    /// the services that enqueue before the handlers that need those services.
    public init(
        database: Database, types: JobTypeDefaults, clock: any WallClock, metrics: JobMetrics = JobMetrics(),
        wakeups: JobWakeups? = nil
    ) {
        self.wakeups = wakeups
        repository = JobRepository(database: database)
        self.types = types
        self.clock = clock
        self.metrics = metrics
    }

    @discardableResult
    public func enqueue(_ new: NewJob) async throws -> (job: Job, created: Bool) {
        var new = new
        if let definition = types[new.type], new.maxAttempts == NewJob(type: "").maxAttempts { new.maxAttempts = definition.maxAttempts }
        try Self.validate(new)
        let result = try await repository.enqueue(new, now: clock.now())
        if result.created {
            metrics.count(JobMetrics.enqueued, type: new.type)
            wakeups?.notify(queue: new.queue)
        }
        return result
    }

    /// Enqueues inside the caller's transaction (a row and the job that processes it are written
    /// together). Call `announce` with the result once the transaction has committed: metrics and
    /// worker wake-ups must not fire for a job a rollback undid.
    public func enqueue(_ new: NewJob, in tx: Transaction) async throws -> (job: Job, created: Bool) {
        var new = new
        if let definition = types[new.type], new.maxAttempts == NewJob(type: "").maxAttempts { new.maxAttempts = definition.maxAttempts }
        try Self.validate(new)
        return try await repository.enqueue(new, now: clock.now(), in: tx)
    }

    /// After the commit of a transaction that enqueued `job`: counts it and wakes a worker.
    public func announce(_ enqueued: (job: Job, created: Bool)) {
        guard enqueued.created else { return }
        metrics.count(JobMetrics.enqueued, type: enqueued.job.type)
        wakeups?.notify(queue: enqueued.job.queue)
    }

    /// Where a job stands now; nil when it no longer exists.
    public func status(of jobId: UUID) async throws -> Job.Status? {
        try await repository.find(id: jobId, accountId: nil)?.status
    }

    public func enqueueBatch(_ jobs: [NewJob]) async throws {
        for job in jobs { try Self.validate(job) }
        try await repository.enqueueBatch(jobs, now: clock.now())
        for (type, group) in Dictionary(grouping: jobs, by: \.type) { metrics.count(JobMetrics.enqueued, type: type, by: group.count) }
        for queue in Set(jobs.map(\.queue)) { wakeups?.notify(queue: queue) }
    }

    static func validate(_ job: NewJob) throws {
        guard (1...100).contains(job.type.count), (1...64).contains(job.queue.count) else {
            throw FiscalMixError.validation("type", "Job type and queue must be 1 to 100 and 1 to 64 characters.")
        }
        guard (1...100).contains(job.maxAttempts) else { throw FiscalMixError.validation("maxAttempts", "maxAttempts must be 1 to 100.") }
        if let key = job.idempotencyKey, !(1...255).contains(key.count) {
            throw FiscalMixError.validation("idempotencyKey", "Idempotency keys have 1 to 255 characters.")
        }
    }
}
