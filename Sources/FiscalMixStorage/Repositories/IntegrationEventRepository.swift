import FiscalMixCore
import Foundation
import SQLKit

/// `integration_events` (seed 001): what happened, recorded once per (account, event key). The
/// internal producers (a stored fiscal document …) write here in their own transaction, so an
/// event exists exactly when what it announces was committed.
public struct IntegrationEventRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Records several events of one account in one statement (existing keys are skipped).
    public func recordAll(accountId: UUID, events: [(key: String, type: String, source: String, payloadJSON: String)], now: Date,
                          in tx: Transaction) async throws {
        guard !events.isEmpty else { return }
        var sql: SQLQueryString = "INSERT INTO integration_events (id, account_id, event_key, event_type, source_system, payload, status, created_at, updated_at) VALUES "
        for (index, e) in events.enumerated() {
            if index > 0 { sql += ", " }
            sql += "(\(bind: ID.make(now: now)), \(bind: accountId), \(bind: e.key), \(bind: e.type), \(bind: e.source), \(json: e.payloadJSON), 'received', \(bind: now), \(bind: now))"
        }
        sql += " ON CONFLICT (account_id, event_key) DO NOTHING"
        try await tx.execute(sql)
    }

    public func count(accountId: UUID, type: String) async throws -> Int {
        try await database.first("""
            SELECT COUNT(*) AS n FROM integration_events WHERE account_id = \(bind: accountId) AND event_type = \(bind: type)
            """)!.get("n")
    }
}
