public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `webhook_endpoints`, always scoped to an account.
public struct WebhookEndpointRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ e: WebhookEndpoint, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO webhook_endpoints (id, account_id, system_name, url, description, status, event_types, headers, signing_scheme,
                                           secret_ref_id, previous_secret_ref_id, previous_secret_expires_at, public_key, policy_id,
                                           retry_schedule, rate_limit_per_second, failing_since, disabled_reason, headers_secret_ref_id,
                                           created_at, updated_at)
            VALUES (\(bind: e.id), \(bind: e.accountId), \(bind: e.systemName), \(bind: e.url), \(bind: e.description), \(bind: e.status.rawValue),
                    \(json: jsonText(e.eventTypes)), \(json: jsonText(e.headers)), \(bind: e.signingScheme.rawValue), \(bind: e.secretRefId),
                    \(bind: e.previousSecretRefId), \(bind: e.previousSecretExpiresAt), \(bind: e.publicKey), \(bind: e.policyId),
                    \(json: e.retrySchedule.map(jsonText)), \(bind: e.rateLimitPerSecond), \(bind: e.failingSince), \(bind: e.disabledReason),
                    \(bind: e.headersSecretRefId), \(bind: e.createdAt), \(bind: e.updatedAt))
            """)
    }

    /// Writes every column of `e` (scoped by its account).
    public func update(_ e: WebhookEndpoint, in tx: Transaction) async throws {
        try await tx.execute(
            """
            UPDATE webhook_endpoints SET system_name = \(bind: e.systemName), url = \(bind: e.url), description = \(bind: e.description),
                   status = \(bind: e.status.rawValue), event_types = \(json: jsonText(e.eventTypes)), headers = \(json: jsonText(e.headers)),
                   signing_scheme = \(bind: e.signingScheme.rawValue), secret_ref_id = \(bind: e.secretRefId),
                   previous_secret_ref_id = \(bind: e.previousSecretRefId), previous_secret_expires_at = \(bind: e.previousSecretExpiresAt),
                   public_key = \(bind: e.publicKey), policy_id = \(bind: e.policyId), retry_schedule = \(json: e.retrySchedule.map(jsonText)),
                   rate_limit_per_second = \(bind: e.rateLimitPerSecond), failing_since = \(bind: e.failingSince),
                   disabled_reason = \(bind: e.disabledReason), headers_secret_ref_id = \(bind: e.headersSecretRefId),
                   updated_at = \(bind: e.updatedAt)
            WHERE id = \(bind: e.id) AND account_id = \(bind: e.accountId)
            """)
    }

    public func find(id: UUID, accountId: UUID) async throws -> WebhookEndpoint? {
        try await database.first("SELECT * FROM webhook_endpoints WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<WebhookEndpoint> {
        try await database.page("SELECT * FROM webhook_endpoints WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    /// The endpoints events are fanned out to: active and paused (a paused endpoint's
    /// deliveries wait for it).
    public func receiving(accountId: UUID, in tx: Transaction) async throws -> [WebhookEndpoint] {
        try await tx.query(
            """
            SELECT * FROM webhook_endpoints WHERE account_id = \(bind: accountId) AND status IN ('active', 'paused')
            """
        ).map(Self.decode)
    }

    public func delete(id: UUID, accountId: UUID, in tx: Transaction) async throws -> Bool {
        !(try await tx.query("DELETE FROM webhook_endpoints WHERE id = \(bind: id) AND account_id = \(bind: accountId) RETURNING id")).isEmpty
    }

    /// After a delivered attempt: the endpoint is healthy again.
    public func markHealthy(id: UUID, in tx: Transaction) async throws {
        try await tx.execute("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = \(bind: id) AND failing_since IS NOT NULL")
    }

    /// After a failed attempt: remembers when the failing began; returns that moment.
    public func markFailing(id: UUID, now: Date, in tx: Transaction) async throws -> Date? {
        try await tx.first(
            """
            UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, \(bind: now)) WHERE id = \(bind: id) RETURNING failing_since
            """)?.get("failing_since")
    }

    /// Disables an active or paused endpoint; false when it already was.
    public func disable(id: UUID, reason: String, now: Date, in tx: Transaction) async throws -> Bool {
        !(try await tx.query(
            """
            UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = \(bind: reason), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND status <> 'disabled' RETURNING id
            """)).isEmpty
    }

    /// One page, of every account, of endpoints whose header values are still plaintext (written
    /// before migration 15), after `after` in id order. `last` is where the next page starts
    /// (nil: no more).
    public func unsealedHeaders(after: UUID?, limit: Int) async throws -> (plaintext: [WebhookEndpoint], last: UUID?) {
        // Rows with no headers at all are skipped in the database: a start reads only what it seals.
        var sql: SQLQueryString = "SELECT * FROM webhook_endpoints WHERE headers_secret_ref_id IS NULL AND CAST(headers AS TEXT) <> '{}'"
        if let after { sql += " AND id > \(bind: after)" }
        sql += " ORDER BY id LIMIT \(bind: limit)"
        let rows = try await database.query(sql).map(Self.decode)
        return (rows.filter { $0.headers.values.contains { !$0.isEmpty } }, rows.count < limit ? nil : rows.last?.id)
    }

    static func decode(_ row: any SQLRow) throws -> WebhookEndpoint {
        let schedule: String? = try row.get("retry_schedule")
        return WebhookEndpoint(
            id: try row.get("id"), accountId: try row.get("account_id"), systemName: try row.get("system_name"), url: try row.get("url"),
            description: try row.get("description"), status: try row.enumValue("status"), eventTypes: try row.jsonValue("event_types"),
            headers: try row.jsonValue("headers"), signingScheme: try row.enumValue("signing_scheme"), secretRefId: try row.get("secret_ref_id"),
            previousSecretRefId: try row.get("previous_secret_ref_id"), previousSecretExpiresAt: try row.get("previous_secret_expires_at"),
            publicKey: try row.get("public_key"), policyId: try row.get("policy_id"),
            retrySchedule: try schedule.map { try decodeJSONColumn($0, as: [TimeInterval].self) },
            rateLimitPerSecond: try row.get("rate_limit_per_second"), failingSince: try row.get("failing_since"),
            disabledReason: try row.get("disabled_reason"), headersSecretRefId: try row.get("headers_secret_ref_id"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
