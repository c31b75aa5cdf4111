public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `event_mappings`: versions per (account, event type, target system); saving makes the next
/// version the active one.
public struct EventMappingRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Stores `m` as the next version of its (event type, target system) and retires the others.
    public func insertNextVersion(_ m: EventMapping) async throws -> EventMapping {
        try await database.transaction { tx in
            let latest: Int? = try await tx.first(
                """
                SELECT MAX(version) AS v FROM event_mappings
                WHERE account_id = \(bind: m.accountId) AND event_type = \(bind: m.eventType) AND target_system = \(bind: m.targetSystem)
                """)?.get("v")
            var next = m
            next.version = (latest ?? 0) + 1
            try await tx.execute(
                """
                UPDATE event_mappings SET active = \(bind: false)
                WHERE account_id = \(bind: m.accountId) AND event_type = \(bind: m.eventType) AND target_system = \(bind: m.targetSystem)
                """)
            try await tx.execute(
                """
                INSERT INTO event_mappings (id, account_id, event_type, target_system, profile, mapping_json, version, active, created_at)
                VALUES (\(bind: next.id), \(bind: next.accountId), \(bind: next.eventType), \(bind: next.targetSystem), \(bind: next.profile),
                        \(json: next.mappingJSON), \(bind: next.version), \(bind: true), \(bind: next.createdAt))
                """)
            return next
        }
    }

    public func find(id: UUID, accountId: UUID) async throws -> EventMapping? {
        try await database.first("SELECT * FROM event_mappings WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(accountId: UUID, eventType: String?, page: PageRequest) async throws -> Page<EventMapping> {
        var sql: SQLQueryString = "SELECT * FROM event_mappings WHERE account_id = \(bind: accountId)"
        if let eventType { sql += " AND event_type = \(bind: eventType)" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    /// Retires a version (no mapping applies until another is saved).
    public func deactivate(id: UUID, accountId: UUID) async throws -> Bool {
        !(try await database.query(
            """
            UPDATE event_mappings SET active = \(bind: false) WHERE id = \(bind: id) AND account_id = \(bind: accountId) RETURNING id
            """)).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> EventMapping {
        EventMapping(
            id: try row.get("id"), accountId: try row.get("account_id"), eventType: try row.get("event_type"),
            targetSystem: try row.get("target_system"), profile: try row.get("profile"), mappingJSON: try row.get("mapping_json"),
            version: try row.get("version"), active: try row.get("active"), createdAt: try row.get("created_at"))
    }
}
