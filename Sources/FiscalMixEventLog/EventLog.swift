public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// docs/data-model.md EventLog: operational events worth keeping (a job went dead, a lease expired, an
/// endpoint was disabled), with a correlation id and the trace id when there is one.
public struct EventLogEntry: Sendable, Codable, Equatable {
    public enum Severity: String, Sendable, Codable { case debug, info, warning, error, critical }
    public var id: UUID
    public var accountId: UUID?
    public var severity: Severity
    public var type: String
    public var message: String
    public var data: [String: String]
    public var correlationId: String?
    public var traceId: String?
    public var createdAt: Date

    public init(
        id: UUID = ID.make(), accountId: UUID?, severity: Severity, type: String, message: String, data: [String: String] = [:],
        correlationId: String? = nil, traceId: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.severity = severity
        self.type = type
        self.message = message
        self.data = data
        self.correlationId = correlationId
        self.traceId = traceId
        self.createdAt = createdAt
    }
}

public struct EventLog: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ e: EventLogEntry) async throws {
        try await database.execute(Self.insertSQL(e))
    }

    public static func insert(_ e: EventLogEntry, in tx: Transaction) async throws {
        try await tx.execute(insertSQL(e))
    }

    static func insertSQL(_ e: EventLogEntry) -> SQLQueryString {
        """
        INSERT INTO event_logs (id, account_id, severity, type, message, data, correlation_id, trace_id, created_at)
        VALUES (\(bind: e.id), \(bind: e.accountId), \(bind: e.severity.rawValue), \(bind: e.type), \(bind: e.message),
                \(json: jsonText(e.data)), \(bind: e.correlationId), \(bind: e.traceId), \(bind: e.createdAt))
        """
    }

    public func list(accountId: UUID?, type: String? = nil, page: PageRequest) async throws -> Page<EventLogEntry> {
        var sql: SQLQueryString = "SELECT * FROM event_logs WHERE 1 = 1"
        if let accountId { sql += " AND account_id = \(bind: accountId)" }
        if let type { sql += " AND type = \(bind: type)" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    static func decode(_ row: any SQLRow) throws -> EventLogEntry {
        EventLogEntry(
            id: try row.get("id"), accountId: try row.get("account_id"), severity: try row.enumValue("severity"),
            type: try row.get("type"), message: try row.get("message"), data: try row.jsonValue("data"),
            correlationId: try row.get("correlation_id"), traceId: try row.get("trace_id"), createdAt: try row.get("created_at"))
    }
}
