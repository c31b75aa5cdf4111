public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixJobs
public import Foundation
import SQLKit

/// The delivery worker's reads and writes, made for many deliveries at a time: a busy worker
/// reads the work of a whole batch in one query and records the batch's outcomes in one
/// transaction of three or four statements.
extension WebhookDeliveryRepository {
    /// What one delivery attempt needs: the delivery, its endpoint, its event, and the active
    /// mapping for the event's type and the endpoint's system, if any.
    public struct Work: Sendable {
        public let delivery: WebhookDelivery
        public let endpoint: WebhookEndpoint
        public let event: IntegrationEvent
        public let mapping: EventMapping?
    }

    /// A delivery to look up; the event id (which delivery jobs carry) narrows the lookup to the
    /// event's month partition.
    public struct WorkKey: Sendable, Hashable {
        public let deliveryId: UUID
        public let eventId: UUID?
        public init(deliveryId: UUID, eventId: UUID?) {
            self.deliveryId = deliveryId
            self.eventId = eventId
        }
    }

    /// The work of each delivery found, by delivery id, in one query. On PostgreSQL, keys that
    /// all carry their event (every delivery job does) go through `WebhookWorkStatement`.
    public func work(_ keys: [WorkKey]) async throws -> [UUID: Work] {
        guard !keys.isEmpty else { return [:] }
        let eventIds = Array(Set(keys.compactMap(\.eventId)))
        let withEvents = keys.allSatisfy { $0.eventId != nil }
        var found: [UUID: Work] = [:]
        if withEvents, let driver = database.driver as? PostgresDriver {
            for row in try await driver.rows(of: WebhookWorkStatement(deliveryIds: keys.map(\.deliveryId), eventIds: eventIds)) {
                let work = try Self.decodeWork(PostgresTypedRow(row))
                found[work.delivery.id] = work
            }
            return found
        }
        var sql: SQLQueryString =
            "SELECT \(unsafeRaw: Self.workColumns) \(unsafeRaw: Self.workJoins) WHERE d.id IN (\(binds: keys.map(\.deliveryId)))"
        if eventIds.count > 0, withEvents {
            sql += " AND d.event_id IN (\(binds: eventIds)) AND e.id IN (\(binds: eventIds))"
        }
        for row in try await database.query(sql) {
            let work = try Self.decodeWork(row)
            found[work.delivery.id] = work
        }
        return found
    }

    /// The select list of a work row: each table's columns under its prefix.
    static let workColumns = [
        prefixedColumns(
            "d", "d_",
            [
                "id", "account_id", "endpoint_id", "event_id", "job_id", "message_id", "status", "attempts", "last_attempt_at",
                "next_attempt_at", "response_code", "last_error", "created_at", "updated_at",
            ]),
        prefixedColumns(
            "w", "w_",
            [
                "id", "account_id", "system_name", "url", "description", "status", "event_types", "headers", "signing_scheme",
                "secret_ref_id", "previous_secret_ref_id", "previous_secret_expires_at", "public_key", "policy_id",
                "retry_schedule", "rate_limit_per_second", "failing_since", "disabled_reason", "headers_secret_ref_id",
                "created_at", "updated_at",
            ]),
        prefixedColumns(
            "e", "e_", ["id", "account_id", "event_key", "event_type", "source_system", "payload", "status", "created_at", "updated_at"]),
        prefixedColumns(
            "m", "m_", ["id", "account_id", "event_type", "target_system", "profile", "mapping_json", "version", "active", "created_at"]),
    ].joined(separator: ", ")

    /// The tables of a work row: the delivery, its endpoint, its event, and the active mapping
    /// for the event's type and the endpoint's system.
    static let workJoins = """
        FROM webhook_deliveries d
        JOIN webhook_endpoints w ON w.id = d.endpoint_id
        JOIN integration_events e ON e.id = d.event_id
        LEFT JOIN event_mappings m ON m.account_id = d.account_id AND m.event_type = e.event_type AND m.target_system = w.system_name
                                    AND m.active = true
        """

    static func decodeWork(_ row: any SQLRow) throws -> Work {
        let mappingRow = PrefixedRow(row: row, prefix: "m_")
        return Work(
            delivery: try Self.decode(PrefixedRow(row: row, prefix: "d_")),
            endpoint: try WebhookEndpointRepository.decode(PrefixedRow(row: row, prefix: "w_")),
            event: try IntegrationEventRepository.decode(PrefixedRow(row: row, prefix: "e_")),
            mapping: try mappingRow.decodeNil(column: "id") ? nil : try EventMappingRepository.decode(mappingRow))
    }

    /// Where a delivery stands after a run of its job: its next state, the attempt made (none
    /// when it ended without one, e.g. its endpoint was disabled), when it ended without
    /// success, why (kept as a dead letter, docs/data-model.md dead_letter), and when its next attempt
    /// belongs to a job of its own (it was one of a shared first-attempt job), that job.
    public struct Outcome: Sendable {
        public var delivery: WebhookDelivery
        public var attempt: WebhookDeliveryAttempt?
        public var jobId: UUID
        public var deadLetterReason: String?
        public var retryJob: NewJob?
        public init(delivery: WebhookDelivery, attempt: WebhookDeliveryAttempt?, jobId: UUID, deadLetterReason: String?, retryJob: NewJob? = nil) {
            precondition(retryJob == nil || retryJob?.id != nil, "a retry job's id is written on its delivery")
            self.delivery = delivery
            self.attempt = attempt
            self.jobId = jobId
            self.deadLetterReason = deadLetterReason
            self.retryJob = retryJob
        }

        /// The job the delivery belongs to once this outcome is recorded.
        var nextJobId: UUID { retryJob?.id ?? jobId }
    }

    /// Records outcomes: each delivery's new state, its attempt, its dead letter and its retry
    /// job. Only the delivery's current job may write, and only while the delivery is pending (a
    /// replay hands it to a new job; a finished one stays finished); returns the (delivery, job)
    /// pairs that were recorded — the others lost their delivery and wrote nothing.
    public func record(_ outcomes: [Outcome], now: Date, in tx: Transaction) async throws -> Set<RecordedOutcome> {
        guard !outcomes.isEmpty else { return [] }
        // Retry jobs go in first (a delivery's job id must name a job); those of outcomes that
        // do not land are taken out again below.
        let retryJobs = outcomes.compactMap(\.retryJob)
        try await JobsInTransaction.enqueueBatch(retryJobs, now: now, in: tx)
        // The VALUES columns have names of their own: SQLite's RETURNING cannot use the table's
        // alias and PostgreSQL would find `id` ambiguous.
        var update: SQLQueryString = """
            WITH v(v_id, v_event_id, v_job_id, v_next_job_id, v_status, v_attempts, v_last_attempt_at, v_next_attempt_at, v_response_code,
                   v_last_error, v_updated_at) AS (VALUES
            """
        for (index, outcome) in outcomes.enumerated() {
            let d = outcome.delivery
            update += """
                \(unsafeRaw: index == 0 ? "" : ",")(\(d.id, as: .uuid), \(d.eventId, as: .uuid), \(outcome.jobId, as: .uuid), \(outcome.nextJobId, as: .uuid),
                \(d.status.rawValue, as: .text),
                \(d.attempts, as: .integer), \(d.lastAttemptAt, as: .timestamp), \(d.nextAttemptAt, as: .timestamp), \(d.responseCode, as: .integer),
                \(d.lastError, as: .text), \(d.updatedAt, as: .timestamp))
                """
        }
        update += """
            )
            UPDATE webhook_deliveries SET status = v_status, attempts = v_attempts, last_attempt_at = v_last_attempt_at,
                   next_attempt_at = v_next_attempt_at, response_code = v_response_code, last_error = v_last_error, updated_at = v_updated_at,
                   job_id = v_next_job_id
            FROM v WHERE id = v_id AND event_id = v_event_id AND job_id = v_job_id AND status = 'pending'
            RETURNING id, job_id
            """
        // RETURNING sees the new job id (SQLite's cannot name the VALUES' columns).
        let landed = Set(
            try await tx.query(update).map {
                RecordedOutcome(deliveryId: try $0.get("id"), jobId: try $0.get("job_id"))
            })
        let (kept, lost) = outcomes.reduce(into: ([Outcome](), [Outcome]())) { split, outcome in
            if landed.contains(RecordedOutcome(deliveryId: outcome.delivery.id, jobId: outcome.nextJobId)) {
                split.0.append(outcome)
            } else {
                split.1.append(outcome)
            }
        }
        let orphaned = lost.compactMap { $0.retryJob?.id }
        if !orphaned.isEmpty { try await JobsInTransaction.discard(orphaned, in: tx) }
        let recorded = Set(kept.map { RecordedOutcome(deliveryId: $0.delivery.id, jobId: $0.jobId) })
        let attempts = kept.compactMap { outcome in outcome.attempt.map { (attempt: $0, eventId: outcome.delivery.eventId) } }
        if !attempts.isEmpty {
            var insert: SQLQueryString = """
                INSERT INTO webhook_delivery_attempts (id, delivery_id, event_id, attempt, requested_at, latency_ms, response_code, response_excerpt, error) VALUES
                """
            for (index, (attempt, eventId)) in attempts.enumerated() {
                insert += """
                    \(unsafeRaw: index == 0 ? "" : ",")(\(bind: attempt.id), \(bind: attempt.deliveryId), \(bind: eventId), \(bind: attempt.attempt),
                    \(bind: attempt.requestedAt), \(bind: attempt.latencyMs), \(bind: attempt.responseCode), \(bind: attempt.responseExcerpt), \(bind: attempt.error))
                    """
            }
            try await tx.execute(insert)
        }
        let letters = kept.compactMap { outcome in outcome.deadLetterReason.map { (outcome, $0) } }
        if !letters.isEmpty {
            var insert: SQLQueryString =
                "INSERT INTO dead_letters (id, account_id, job_id, job_type, event_id, delivery_id, reason, payload, created_at) VALUES "
            for (index, (outcome, reason)) in letters.enumerated() {
                let d = outcome.delivery
                insert += """
                    \(unsafeRaw: index == 0 ? "" : ",")(\(bind: ID.make(now: now)), \(bind: d.accountId), \(bind: outcome.jobId), \(bind: WebhookDelivery.jobType),
                    \(bind: d.eventId), \(bind: d.id), \(bind: reason),
                    \(json: jsonText(["deliveryId": d.id.lowercased, "endpointId": d.endpointId.lowercased])), \(bind: now))
                    """
            }
            try await tx.execute(insert)
        }
        return recorded
    }

    /// A delivery recorded by the job that held it.
    public struct RecordedOutcome: Sendable, Hashable {
        public let deliveryId: UUID
        public let jobId: UUID
        public init(deliveryId: UUID, jobId: UUID) {
            self.deliveryId = deliveryId
            self.jobId = jobId
        }
    }
}
