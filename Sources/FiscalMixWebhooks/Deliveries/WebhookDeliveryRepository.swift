public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixJobs
public import Foundation
import SQLKit

/// `webhook_deliveries`, their attempts and their dead letters.
public struct WebhookDeliveryRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// The delivery job for a delivery; its id is written on the delivery, so a job superseded
    /// by a replay knows to stand down. `base` is the attempts made before a replay: the retry
    /// schedule starts again after it. The event id lets the delivery's lookup go straight to
    /// its month's partition.
    public static func job(deliveryId: UUID, eventId: UUID, accountId: UUID, base: Int = 0, now: Date) -> NewJob {
        let ids = "\"deliveryId\":\"\(deliveryId.lowercased)\",\"eventId\":\"\(eventId.lowercased)\""
        let payload = base == 0 ? "{\(ids)}" : "{\"base\":\(base),\(ids)}"
        return NewJob(
            type: WebhookDelivery.jobType, accountId: accountId, payload: payload, maxAttempts: 100,
            correlationId: deliveryId.lowercased, id: ID.make(now: now))
    }

    /// The job that makes the first attempt of several deliveries of one event at once. A
    /// delivery that needs another attempt gets a job of its own (`job(deliveryId:…)`), so only
    /// the common case — every endpoint answers the first time — is shared: one job row, one
    /// claim and one run for up to `deliveriesPerJob` deliveries instead of one each.
    public static func firstAttemptsJob(eventId: UUID, deliveryIds: [UUID], accountId: UUID, now: Date) -> NewJob {
        let ids = deliveryIds.map { "\"\($0.lowercased)\"" }.joined(separator: ",")
        return NewJob(
            type: WebhookDelivery.jobType, accountId: accountId, payload: "{\"deliveryIds\":[\(ids)],\"eventId\":\"\(eventId.lowercased)\"}",
            maxAttempts: 100, correlationId: eventId.lowercased, id: ID.make(now: now))
    }

    /// How many of an event's deliveries share one first-attempt job: the job sends them all
    /// at once, so this also bounds the requests one job has in flight.
    public static let deliveriesPerJob = 16

    /// Creates a pending delivery per (event, endpoint) pair that has none yet, with the jobs
    /// that make their first attempts (the job rows first: a delivery points at its job): one
    /// job for each run of up to `deliveriesPerJob` consecutive pairs of one event.
    /// `eventsAreNew` skips looking for existing pairs, for events recorded in this transaction.
    /// Returns how many were created.
    @discardableResult
    public func create(
        accountId: UUID, pairs: [(eventId: UUID, endpointId: UUID)], eventsAreNew: Bool, now: Date,
        in tx: Transaction
    ) async throws -> Int {
        var pairs = pairs
        if !eventsAreNew, !pairs.isEmpty {
            let rows = try await tx.query(
                """
                SELECT endpoint_id, event_id FROM webhook_deliveries WHERE event_id IN (\(binds: Array(Set(pairs.map(\.eventId)))))
                """)
            let existing = Set(try rows.map { "\(try $0.get("endpoint_id", as: UUID.self))/\(try $0.get("event_id", as: UUID.self))" })
            pairs.removeAll { existing.contains("\($0.endpointId)/\($0.eventId)") }
        }
        guard !pairs.isEmpty else { return 0 }
        let ids = pairs.map { _ in ID.make(now: now) }
        // The job of each delivery, by index: consecutive deliveries of one event share a job.
        var jobs: [NewJob] = []
        var jobIds: [UUID] = []
        var start = 0
        while start < pairs.count {
            var end = start + 1
            while end < pairs.count, end - start < Self.deliveriesPerJob, pairs[end].eventId == pairs[start].eventId { end += 1 }
            let job =
                end - start == 1
                ? Self.job(deliveryId: ids[start], eventId: pairs[start].eventId, accountId: accountId, now: now)
                : Self.firstAttemptsJob(eventId: pairs[start].eventId, deliveryIds: Array(ids[start..<end]), accountId: accountId, now: now)
            jobs.append(job)
            jobIds += Array(repeating: job.id!, count: end - start)
            start = end
        }
        try await JobsInTransaction.enqueueBatch(jobs, now: now, in: tx)
        for start in stride(from: 0, to: pairs.count, by: 400) {
            var sql: SQLQueryString = """
                INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, job_id, message_id, status, attempts, created_at, updated_at) VALUES
                """
            for index in start..<min(start + 400, pairs.count) {
                let id = ids[index]
                sql += """
                    \(unsafeRaw: index == start ? "" : ",")(\(bind: id), \(bind: accountId), \(bind: pairs[index].endpointId), \(bind: pairs[index].eventId),
                    \(bind: jobIds[index]), \(bind: WebhookDelivery.messageId(for: id)), 'pending', 0, \(bind: now), \(bind: now))
                    """
            }
            try await tx.execute(sql)
        }
        return pairs.count
    }

    public func find(id: UUID, accountId: UUID? = nil) async throws -> WebhookDelivery? {
        var sql: SQLQueryString = "SELECT * FROM webhook_deliveries WHERE id = \(bind: id)"
        if let accountId { sql += " AND account_id = \(bind: accountId)" }
        return try await database.first(sql).map(Self.decode)
    }

    public struct Filter: Sendable {
        public var endpointId: UUID?
        public var eventId: UUID?
        public var status: WebhookDelivery.Status?
        public init(endpointId: UUID? = nil, eventId: UUID? = nil, status: WebhookDelivery.Status? = nil) {
            self.endpointId = endpointId
            self.eventId = eventId
            self.status = status
        }
    }

    public func list(accountId: UUID, _ filter: Filter, page: PageRequest) async throws -> Page<WebhookDelivery> {
        var sql: SQLQueryString = "SELECT * FROM webhook_deliveries WHERE account_id = \(bind: accountId)"
        if let endpointId = filter.endpointId { sql += " AND endpoint_id = \(bind: endpointId)" }
        if let eventId = filter.eventId { sql += " AND event_id = \(bind: eventId)" }
        if let status = filter.status { sql += " AND status = \(bind: status.rawValue)" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    public func attempts(deliveryId: UUID) async throws -> [WebhookDeliveryAttempt] {
        try await database.query(
            """
            SELECT * FROM webhook_delivery_attempts WHERE delivery_id = \(bind: deliveryId) ORDER BY attempt
            """
        ).map { row in
            WebhookDeliveryAttempt(
                id: try row.get("id"), deliveryId: try row.get("delivery_id"), attempt: try row.get("attempt"),
                requestedAt: try row.get("requested_at"), latencyMs: try row.get("latency_ms"),
                responseCode: try row.get("response_code"), responseExcerpt: try row.get("response_excerpt"),
                error: try row.get("error"))
        }
    }

    /// Puts finished deliveries back to pending with a new job each (their `webhook-id` stays).
    /// `ids` nil with an endpoint: every failed or dead delivery of it updated since `since`.
    public func replay(
        accountId: UUID, ids: [UUID]? = nil, endpointId: UUID? = nil, eventId: UUID? = nil, since: Date? = nil,
        onlyUnsuccessful: Bool, now: Date, in tx: Transaction
    ) async throws -> [UUID] {
        var sql: SQLQueryString =
            "SELECT id, event_id, attempts FROM webhook_deliveries WHERE account_id = \(bind: accountId) AND status <> 'pending'"
        if let ids { sql += " AND id IN (\(binds: ids))" }
        if let endpointId { sql += " AND endpoint_id = \(bind: endpointId)" }
        if let eventId { sql += " AND event_id = \(bind: eventId)" }
        if let since { sql += " AND updated_at >= \(bind: since)" }
        if onlyUnsuccessful { sql += " AND status IN ('failed', 'dead')" }
        let rows = try await tx.query(sql)
        let found: [UUID] = try rows.map { try $0.get("id") }
        let jobs = try rows.map {
            Self.job(deliveryId: try $0.get("id"), eventId: try $0.get("event_id"), accountId: accountId, base: try $0.get("attempts"), now: now)
        }
        try await JobsInTransaction.enqueueBatch(jobs, now: now, in: tx)
        for (id, job) in zip(found, jobs) {
            try await tx.execute(
                """
                UPDATE webhook_deliveries SET status = 'pending', job_id = \(bind: job.id), next_attempt_at = \(bind: now),
                       updated_at = \(bind: now) WHERE id = \(bind: id)
                """)
        }
        if !found.isEmpty {
            try await tx.execute("UPDATE dead_letters SET requeued_at = \(bind: now) WHERE delivery_id IN (\(binds: found)) AND requeued_at IS NULL")
        }
        return found
    }

    /// Gives every pending delivery of a resumed endpoint a new job (their old jobs ended while
    /// the endpoint was paused); returns how many.
    @discardableResult
    public func resume(endpointId: UUID, accountId: UUID, now: Date, in tx: Transaction) async throws -> Int {
        let rows = try await tx.query(
            """
            SELECT id, event_id FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointId) AND account_id = \(bind: accountId) AND status = 'pending'
            """)
        let ids: [UUID] = try rows.map { try $0.get("id") }
        let jobs = try rows.map { Self.job(deliveryId: try $0.get("id"), eventId: try $0.get("event_id"), accountId: accountId, now: now) }
        try await JobsInTransaction.enqueueBatch(jobs, now: now, in: tx)
        for (id, job) in zip(ids, jobs) {
            try await tx.execute("UPDATE webhook_deliveries SET job_id = \(bind: job.id), updated_at = \(bind: now) WHERE id = \(bind: id)")
        }
        return jobs.count
    }

    /// The distinct events of some deliveries.
    public func eventIds(of deliveryIds: [UUID], in tx: Transaction) async throws -> [UUID] {
        guard !deliveryIds.isEmpty else { return [] }
        return try await tx.query("SELECT DISTINCT event_id FROM webhook_deliveries WHERE id IN (\(binds: deliveryIds))").map {
            try $0.get("event_id")
        }
    }

    static func decode(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.get("id"), accountId: try row.get("account_id"), endpointId: try row.get("endpoint_id"),
            eventId: try row.get("event_id"), jobId: try row.get("job_id"), messageId: try row.get("message_id"),
            status: try row.enumValue("status"), attempts: try row.get("attempts"), lastAttemptAt: try row.get("last_attempt_at"),
            nextAttemptAt: try row.get("next_attempt_at"), responseCode: try row.get("response_code"),
            lastError: try row.get("last_error"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
