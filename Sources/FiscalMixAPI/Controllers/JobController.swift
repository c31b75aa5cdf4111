import FiscalMixCore
import FiscalMixDatabase
import FiscalMixHTTPEdge
import FiscalMixJSON
import FiscalMixJobs
import Foundation
import Hummingbird

/// Durable jobs of the account: list, inspect with runs, requeue dead ones, cancel queued ones.
struct JobController {
    let jobs: JobAdministration

    struct JobView: Encodable, Sendable {
        let id: UUID, type: String, queue: String, status: Job.Status, priority: Int, attempts: Int, maxAttempts: Int
        let runAt: Date, createdAt: Date, updatedAt: Date
        let accountId: UUID?, payload: JSON?, idempotencyKey: String?, lastError: JSON?, correlationId: String?
        let leaseOwner: String?, leaseExpiresAt: Date?, startedAt: Date?, finishedAt: Date?
        let runs: [RunView]?

        init(_ job: Job, runs: [JobRun]? = nil) {
            id = job.id; type = job.type; queue = job.queue; status = job.status; priority = job.priority
            attempts = job.attempts; maxAttempts = job.maxAttempts; runAt = job.runAt; createdAt = job.createdAt
            updatedAt = job.updatedAt; accountId = job.accountId; payload = job.payload.flatMap { try? JSON(parsing: $0) }
            idempotencyKey = job.idempotencyKey; lastError = job.lastError.flatMap { try? JSON(parsing: $0) }
            correlationId = job.correlationId; leaseOwner = job.leaseOwner; leaseExpiresAt = job.leaseExpiresAt
            startedAt = job.startedAt; finishedAt = job.finishedAt; self.runs = runs.map { $0.map(RunView.init) }
        }
    }

    struct RunView: Encodable, Sendable {
        let id: UUID, attempt: Int, status: JobRun.Status, worker: String?, startedAt: Date, finishedAt: Date?, error: JSON?
        init(_ run: JobRun) {
            id = run.id; attempt = run.attempt; status = run.status; worker = run.worker; startedAt = run.startedAt
            finishedAt = run.finishedAt; error = run.error.flatMap { try? JSON(parsing: $0) }
        }
    }

    struct RequeueInput: Decodable { let ids: [UUID]?; let type: String?; let since: Date? }

    func addRoutes(to group: CatalogedGroup) {
        group.get("/jobs", query: .list("type", "queue", "status", "from", "to")) { request, context in
            var filter = JobFilter()
            filter.type = try request.textQuery("type", maxLength: 100)
            filter.queue = try request.textQuery("queue", maxLength: 64)
            if let status = try request.textQuery("status") {
                guard let parsed = Job.Status(rawValue: status) else { throw FiscalMixError.validation("status", "Unknown job status.") }
                filter.status = parsed
            }
            filter.createdFrom = try request.dateQuery("from")
            filter.createdTo = try request.dateQuery("to")
            let page = try await jobs.list(try context.requirePrincipal(), filter: filter, page: try request.pageRequest())
            return JSONResponse(ListBody(Page(items: page.items.map { JobView($0) }, nextCursor: page.nextCursor)))
        }
        group.get("/jobs/:id") { _, context in
            let (job, runs) = try await jobs.get(try context.requirePrincipal(), id: try context.id("id", "Job"))
            return JSONResponse(JobView(job, runs: runs))
        }
        group.post("/jobs/requeue") { request, context in
            var request = request
            let input = try await request.decodeJSON(RequeueInput.self, context: context)
            let count = try await jobs.requeue(try context.requirePrincipal(), ids: input.ids, type: input.type, since: input.since)
            return JSONResponse(["requeued": count])
        }
        group.post("/jobs/:id/cancel") { _, context in
            JSONResponse(JobView(try await jobs.cancel(try context.requirePrincipal(), id: try context.id("id", "Job"))))
        }
    }
}

extension Request {
    /// An RFC 3339 date-time query parameter.
    func dateQuery(_ name: String) throws -> Date? {
        guard let text = try textQuery(name, maxLength: 64) else { return nil }
        guard let date = APIJSON.parseDate(text) else { throw FiscalMixError.validation(name, "\(name) must be an RFC 3339 date-time.") }
        return date
    }
}
