public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `event_types`: an account's catalogue of event types, with their payload schemas.
public struct EventTypeRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ t: EventType) async throws {
        try await database.execute(
            """
            INSERT INTO event_types (id, account_id, name, description, payload_schema, created_at, updated_at)
            VALUES (\(bind: t.id), \(bind: t.accountId), \(bind: t.name), \(bind: t.description), \(json: t.payloadSchemaJSON),
                    \(bind: t.createdAt), \(bind: t.updatedAt))
            """)
    }

    public func update(_ t: EventType) async throws {
        try await database.execute(
            """
            UPDATE event_types SET description = \(bind: t.description), payload_schema = \(json: t.payloadSchemaJSON),
                   updated_at = \(bind: t.updatedAt)
            WHERE id = \(bind: t.id) AND account_id = \(bind: t.accountId)
            """)
    }

    public func find(id: UUID, accountId: UUID) async throws -> EventType? {
        try await database.first("SELECT * FROM event_types WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func find(name: String, accountId: UUID) async throws -> EventType? {
        try await database.first("SELECT * FROM event_types WHERE name = \(bind: name) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<EventType> {
        try await database.page("SELECT * FROM event_types WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    public func delete(id: UUID, accountId: UUID) async throws -> Bool {
        !(try await database.query("DELETE FROM event_types WHERE id = \(bind: id) AND account_id = \(bind: accountId) RETURNING id")).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> EventType {
        EventType(
            id: try row.get("id"), accountId: try row.get("account_id"), name: try row.get("name"), description: try row.get("description"),
            payloadSchemaJSON: try row.get("payload_schema"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
