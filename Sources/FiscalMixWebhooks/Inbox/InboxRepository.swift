public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `inbox_providers` and `webhook_inbox`: who may post, and what they posted (once per
/// provider event id).
public struct InboxRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ p: InboxProvider, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO inbox_providers (id, account_id, name, verifier, secret_ref_id, signature_header, event_id_header, event_id_pointer,
                                         event_type, tolerance_seconds, created_at, updated_at)
            VALUES (\(bind: p.id), \(bind: p.accountId), \(bind: p.name), \(bind: p.verifier), \(bind: p.secretRefId), \(bind: p.signatureHeader),
                    \(bind: p.eventIdHeader), \(bind: p.eventIdPointer), \(bind: p.eventType), \(bind: p.toleranceSeconds), \(bind: p.createdAt),
                    \(bind: p.updatedAt))
            """)
    }

    /// A provider by id alone: the inbox URL names it, and the account follows from it.
    public func provider(id: UUID) async throws -> InboxProvider? {
        try await database.first("SELECT * FROM inbox_providers WHERE id = \(bind: id)").map(Self.decodeProvider)
    }

    public func provider(id: UUID, accountId: UUID) async throws -> InboxProvider? {
        try await database.first("SELECT * FROM inbox_providers WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decodeProvider)
    }

    public func provider(name: String, accountId: UUID) async throws -> InboxProvider? {
        try await database.first("SELECT * FROM inbox_providers WHERE name = \(bind: name) AND account_id = \(bind: accountId)")
            .map(Self.decodeProvider)
    }

    /// Whether (account, provider, event id) was accepted before.
    public func exists(accountId: UUID, provider: String, eventId: String) async throws -> Bool {
        try await database.first(
            """
            SELECT 1 AS one FROM webhook_inbox WHERE account_id = \(bind: accountId) AND provider = \(bind: provider) AND event_id = \(bind: eventId)
            """) != nil
    }

    public func providers(accountId: UUID, page: PageRequest) async throws -> Page<InboxProvider> {
        try await database.page("SELECT * FROM inbox_providers WHERE account_id = \(bind: accountId)", page, decode: Self.decodeProvider, id: \.id)
    }

    public func deleteProvider(id: UUID, accountId: UUID, in tx: Transaction) async throws -> Bool {
        !(try await tx.query("DELETE FROM inbox_providers WHERE id = \(bind: id) AND account_id = \(bind: accountId) RETURNING id")).isEmpty
    }

    /// Stores an accepted message unless (account, provider, event id) is already there; true
    /// when this call stored it.
    public func accept(_ m: InboxMessage, headersJSON: String, in tx: Transaction) async throws -> Bool {
        !(try await tx.query(
            """
            INSERT INTO webhook_inbox (id, account_id, provider, event_id, signature_valid, status, payload_ref, payload_json, headers, received_at)
            VALUES (\(bind: m.id), \(bind: m.accountId), \(bind: m.provider), \(bind: m.eventId), \(bind: true), \(bind: m.status.rawValue),
                    \(bind: m.payloadRef), \(json: m.payloadJSON), \(json: headersJSON), \(bind: m.receivedAt))
            ON CONFLICT (account_id, provider, event_id) DO NOTHING RETURNING id
            """)).isEmpty
    }

    public func message(id: UUID, accountId: UUID? = nil) async throws -> InboxMessage? {
        var sql: SQLQueryString = "SELECT * FROM webhook_inbox WHERE id = \(bind: id)"
        if let accountId { sql += " AND account_id = \(bind: accountId)" }
        return try await database.first(sql).map(Self.decodeMessage)
    }

    public func messages(accountId: UUID, provider: String?, page: PageRequest) async throws -> Page<InboxMessage> {
        var sql: SQLQueryString = "SELECT * FROM webhook_inbox WHERE account_id = \(bind: accountId)"
        if let provider { sql += " AND provider = \(bind: provider)" }
        return try await database.page(sql, page, decode: Self.decodeMessage, id: \.id)
    }

    /// Moves a received message to its outcome; false when it was no longer `received`.
    public func finish(id: UUID, status: InboxMessage.Status, error: String?, now: Date, in tx: Transaction) async throws -> Bool {
        !(try await tx.query(
            """
            UPDATE webhook_inbox SET status = \(bind: status.rawValue), error = \(bind: error), processed_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'received' RETURNING id
            """)).isEmpty
    }

    static func decodeProvider(_ row: any SQLRow) throws -> InboxProvider {
        InboxProvider(
            id: try row.get("id"), accountId: try row.get("account_id"), name: try row.get("name"), verifier: try row.get("verifier"),
            secretRefId: try row.get("secret_ref_id"), signatureHeader: try row.get("signature_header"),
            eventIdHeader: try row.get("event_id_header"), eventIdPointer: try row.get("event_id_pointer"),
            eventType: try row.get("event_type"), toleranceSeconds: try row.get("tolerance_seconds"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }

    static func decodeMessage(_ row: any SQLRow) throws -> InboxMessage {
        InboxMessage(
            id: try row.get("id"), accountId: try row.get("account_id"), provider: try row.get("provider"),
            eventId: try row.get("event_id"), status: try row.enumValue("status"), payloadRef: try row.get("payload_ref"),
            payloadJSON: try row.get("payload_json"), error: try row.get("error"), receivedAt: try row.get("received_at"),
            processedAt: try row.get("processed_at"))
    }
}
