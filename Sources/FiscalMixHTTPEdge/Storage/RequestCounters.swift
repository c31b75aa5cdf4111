public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// Request counts in `rate_limits`, one row per (client, window), incremented by an atomic
/// upsert: every server process sharing the PostgreSQL database counts into the same rows.
public struct SQLRequestCounter: RequestCounter {
    package let database: Database
    public init(database: Database) { self.database = database }

    public func hit(_ clients: [String], accountId: UUID, windowStart: Date) async throws -> [Int] {
        guard !clients.isEmpty else { return [] }
        var sql: SQLQueryString = "INSERT INTO rate_limits (id, account_id, client_key, window_start, count) VALUES "
        for (index, client) in clients.enumerated() {
            sql += "\(unsafeRaw: index == 0 ? "" : ", ")(\(bind: ID.make()), \(bind: accountId), \(bind: client), \(bind: windowStart), 1)"
        }
        sql += " ON CONFLICT (client_key, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING client_key, count"
        var counts: [String: Int] = [:]
        for row in try await database.query(sql) { counts[try row.get("client_key")] = try row.get("count") }
        return clients.map { counts[$0] ?? 1 }
    }

    /// Forgets windows that ended before `before`.
    public func prune(before: Date) async throws {
        try await database.execute("DELETE FROM rate_limits WHERE window_start < \(bind: before)")
    }
}

/// The same counts in memory, for the embedded default (one process owns the SQLite file).
public actor LocalRequestCounter: RequestCounter {
    private var windowStart = Date.distantPast
    private var counts: [String: Int] = [:]

    public init() {}

    public func hit(_ clients: [String], accountId: UUID, windowStart: Date) async throws -> [Int] {
        if windowStart != self.windowStart {
            self.windowStart = windowStart
            counts.removeAll(keepingCapacity: true)
        }
        return clients.map { client in
            counts[client, default: 0] += 1
            return counts[client]!
        }
    }
}
