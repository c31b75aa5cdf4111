public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `integration_events` (docs/data-model.md): what happened, recorded once per (account, event key). The
/// internal producers (a stored fiscal document …) write here in their own transaction, so an
/// event exists exactly when what it announces was committed.
public struct IntegrationEventRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// What a producer announces; `key` makes it idempotent within the account.
    public struct NewEvent: Sendable {
        public var key: String
        public var type: String
        public var source: String
        public var payloadJSON: String
        public init(key: String, type: String, source: String, payloadJSON: String) {
            self.key = key
            self.type = type
            self.source = source
            self.payloadJSON = payloadJSON
        }
    }

    /// An event a producer's call recorded.
    public struct RecordedEvent: Sendable {
        public let id: UUID
        public let key: String
        public let type: String
        public let status: IntegrationEvent.Status
        public let createdAt: Date
    }

    /// Records several events of one account (statements of 500 rows), each with the status
    /// `status` gives it; returns those that are new — a key already recorded (or repeated
    /// earlier in `events`) is skipped. The key is claimed first in `integration_event_keys`
    /// (the events table is partitioned and cannot hold it unique); a concurrent claim of the
    /// same key waits for the first transaction and then skips.
    @discardableResult
    public func recordAll(
        accountId: UUID, events: [NewEvent], now: Date, status: (NewEvent) -> IntegrationEvent.Status = { _ in .received },
        in tx: Transaction
    ) async throws -> [RecordedEvent] {
        var recorded: [RecordedEvent] = []
        for start in stride(from: 0, to: events.count, by: 500) {
            let chunk = events[start..<min(start + 500, events.count)]
            let ids = chunk.map { _ in ID.make(now: now) }
            var claim: SQLQueryString = "INSERT INTO integration_event_keys (account_id, event_key, event_id, created_at) VALUES "
            for (index, (id, e)) in zip(ids, chunk).enumerated() {
                claim += "\(unsafeRaw: index == 0 ? "" : ",")(\(bind: accountId), \(bind: e.key), \(bind: id), \(bind: now))"
            }
            claim += " ON CONFLICT (account_id, event_key) DO NOTHING RETURNING event_id"
            let claimed = Set(try await tx.query(claim).map { try $0.get("event_id", as: UUID.self) })
            guard !claimed.isEmpty else { continue }
            let fresh = zip(ids, chunk).filter { claimed.contains($0.0) }.map {
                RecordedEvent(id: $0.0, key: $0.1.key, type: $0.1.type, status: status($0.1), createdAt: now)
            }
            var sql: SQLQueryString = """
                INSERT INTO integration_events (id, account_id, event_key, event_type, source_system, payload, status, created_at, updated_at) VALUES
                """
            for (index, (id, e)) in zip(ids, chunk).filter({ claimed.contains($0.0) }).enumerated() {
                sql += """
                    \(unsafeRaw: index == 0 ? "" : ",")(\(bind: id), \(bind: accountId), \(bind: e.key), \(bind: e.type),
                    \(bind: e.source), \(json: e.payloadJSON), \(bind: fresh[index].status.rawValue), \(bind: now), \(bind: now))
                    """
            }
            try await tx.execute(sql)
            recorded += fresh
        }
        return recorded
    }

    public func find(id: UUID, accountId: UUID) async throws -> IntegrationEvent? {
        try await database.first("SELECT * FROM integration_events WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func find(key: String, accountId: UUID) async throws -> IntegrationEvent? {
        try await database.first(
            """
            SELECT e.* FROM integration_event_keys k JOIN integration_events e ON e.id = k.event_id
            WHERE k.account_id = \(bind: accountId) AND k.event_key = \(bind: key)
            """
        ).map(Self.decode)
    }

    public func list(accountId: UUID, type: String?, status: IntegrationEvent.Status?, page: PageRequest) async throws -> Page<IntegrationEvent> {
        var sql: SQLQueryString = "SELECT * FROM integration_events WHERE account_id = \(bind: accountId)"
        if let type { sql += " AND event_type = \(bind: type)" }
        if let status { sql += " AND status = \(bind: status.rawValue)" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    public func count(accountId: UUID, type: String) async throws -> Int {
        try await database.first(
            """
            SELECT COUNT(*) AS n FROM integration_events WHERE account_id = \(bind: accountId) AND event_type = \(bind: type)
            """)!.get("n")
    }

    public func mark(_ ids: [UUID], _ status: IntegrationEvent.Status, now: Date, in tx: Transaction) async throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            try await tx.execute(
                "UPDATE integration_events SET status = \(bind: status.rawValue), updated_at = \(bind: now) WHERE id IN (\(binds: chunk))")
        }
    }

    /// Follows the deliveries: `dispatched` while any is pending, then `failed` if any failed or
    /// died, else `completed` (an event no endpoint wanted was stored `completed` and has
    /// nothing to follow). Only the delivery that
    /// finds no other pending updates the row, so the ten deliveries of one event do not queue
    /// on its row lock; two last ones finishing at the same instant can both see the other
    /// pending — `settleStale` catches that.
    public func settle(eventId: UUID, now: Date, in tx: Transaction) async throws {
        try await settle(eventIds: [eventId], now: now, in: tx)
    }

    /// `settle(eventId:)` for several events in one statement: one pass over their deliveries
    /// (the id lists let PostgreSQL go straight to the events' month partitions).
    public func settle(eventIds: [UUID], now: Date, in tx: Transaction) async throws {
        guard !eventIds.isEmpty else { return }
        try await tx.execute(
            """
            UPDATE integration_events SET updated_at = \(bind: now), status = ended.status
            FROM (SELECT event_id, CASE WHEN MAX(CASE WHEN status IN ('failed', 'dead') THEN 1 ELSE 0 END) = 1 THEN 'failed' ELSE 'completed' END AS status
                  FROM webhook_deliveries WHERE event_id IN (\(binds: eventIds))
                  GROUP BY event_id HAVING MAX(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) = 0) AS ended
            WHERE integration_events.id = ended.event_id AND integration_events.id IN (\(binds: eventIds))
            """)
    }

    /// Puts an event whose deliveries are pending again (a replay) back to `dispatched`.
    public func reopen(eventId: UUID, now: Date, in tx: Transaction) async throws {
        try await tx.execute(
            """
            UPDATE integration_events SET status = 'dispatched', updated_at = \(bind: now)
            WHERE id = \(bind: eventId) AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = \(bind: eventId) AND d.status = 'pending')
            """)
    }

    /// Settles dispatched events whose deliveries all ended more than `grace` ago (the rare
    /// race `settle` leaves); returns how many.
    @discardableResult
    public func settleStale(olderThan grace: TimeInterval = 5, now: Date) async throws -> Int {
        let rows = try await database.query(
            """
            UPDATE integration_events SET updated_at = \(bind: now), status = CASE
                WHEN EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = integration_events.id AND d.status IN ('failed', 'dead')) THEN 'failed'
                ELSE 'completed' END
            WHERE status = 'dispatched' AND updated_at < \(bind: now.addingTimeInterval(-grace))
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = integration_events.id AND d.status = 'pending')
            RETURNING id
            """)
        return rows.count
    }

    static func decode(_ row: any SQLRow) throws -> IntegrationEvent {
        IntegrationEvent(
            id: try row.get("id"), accountId: try row.get("account_id"), key: try row.get("event_key"), type: try row.get("event_type"),
            sourceSystem: try row.get("source_system"), payloadJSON: try row.get("payload"), status: try row.enumValue("status"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
