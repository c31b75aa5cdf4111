public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// What the API lets an account do with its jobs: look, requeue dead ones, cancel queued ones.
/// Every query is scoped to the caller's account; another account's job answers 404.
public struct JobAdministration: Sendable {
    let repository: JobRepository
    let clock: any WallClock

    public init(database: Database, clock: any WallClock) {
        repository = JobRepository(database: database)
        self.clock = clock
    }

    public func list(_ principal: Principal, filter: JobFilter, page: PageRequest) async throws -> Page<Job> {
        try principal.require(.jobsRead)
        var filter = filter
        filter.accountId = principal.accountId
        return try await repository.list(filter, page: page)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> (Job, [JobRun]) {
        try principal.require(.jobsRead)
        guard let job = try await repository.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Job") }
        return (job, try await repository.runs(jobId: id))
    }

    /// Requeues dead or failed jobs: the listed ids, or every one of `type` (if given) since `since`.
    public func requeue(_ principal: Principal, ids: [UUID]?, type: String?, since: Date?) async throws -> Int {
        try principal.require(.jobsWrite)
        if let ids, ids.count > 1000 { throw FiscalMixError.validation("ids", "Requeue at most 1000 ids at once.") }
        if let type, type.count > 100 { throw FiscalMixError.validation("type", "A job type has at most 100 characters.") }
        guard ids != nil || type != nil || since != nil else {
            throw FiscalMixError.validation("ids", "Name the jobs: ids, a type, or since.")
        }
        let filter = JobFilter(accountId: principal.accountId, type: type, createdFrom: since)
        return try await repository.requeue(filter, ids: ids, now: clock.now())
    }

    public func cancel(_ principal: Principal, id: UUID) async throws -> Job {
        try principal.require(.jobsWrite)
        guard let job = try await repository.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Job") }
        guard try await repository.cancel(id: id, accountId: principal.accountId, now: clock.now()) else {
            throw JobsError(.conflict, .jobNotQueued, "Only a queued job can be cancelled; this one is \(job.status.rawValue).")
        }
        return try await repository.find(id: id, accountId: principal.accountId) ?? job
    }
}
