public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// Token buckets in the database, so that a rate limit holds across several server processes.
///
/// One statement refills the bucket for the time since it was last touched (by the database's
/// clock, so processes on different hosts agree), and spends a token only if one is there — an
/// `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING`, atomic on PostgreSQL (the row lock
/// serialises concurrent takers) and on SQLite (one writer). No row back means no token: a second
/// read says how long until the next one.
public struct SQLRateLimitStore: RateLimitStore {
    let database: Database

    public init(database: Database) { self.database = database }

    public func take(key: String, rate: Double, burst: Int) async throws -> TimeInterval {
        let now = database.dialect.epochNow
        let capacity = Double(burst)
        // the tokens the bucket holds now: what it had plus the refill, capped at the burst
        let refilled: SQLQueryString = """
            (CASE WHEN rate_limit_buckets.tokens + (excluded.refreshed_at - rate_limit_buckets.refreshed_at) * \(bind: rate) > \(bind: capacity)
                  THEN \(bind: capacity)
                  ELSE rate_limit_buckets.tokens + (excluded.refreshed_at - rate_limit_buckets.refreshed_at) * \(bind: rate) END)
            """
        var sql: SQLQueryString = """
            INSERT INTO rate_limit_buckets (bucket_key, tokens, refreshed_at) VALUES (\(bind: key), \(bind: capacity - 1), \(unsafeRaw: now))
            ON CONFLICT (bucket_key) DO UPDATE SET tokens =
            """
        sql += refilled
        sql += " - 1, refreshed_at = excluded.refreshed_at WHERE "
        sql += refilled
        sql += " >= 1 RETURNING tokens"
        if try await database.first(sql) != nil { return 0 }
        let available =
            try await database.first(
                """
                SELECT tokens + (\(unsafeRaw: now) - refreshed_at) * \(bind: rate) AS available FROM rate_limit_buckets WHERE bucket_key = \(bind: key)
                """)?.decode(column: "available", as: Double.self) ?? 0
        return max(0.001, (1 - min(available, 1)) / rate)
    }
}
