public import FiscalMixDatabase
public import Foundation
import SQLKit

/// Login attempts, kept for throttling (failures per email and per IP in a sliding window).
public struct LoginAttemptRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func record(email: String, ip: String, succeeded: Bool, at now: Date) async throws {
        try await database.execute(
            """
            INSERT INTO login_attempts (id, email, ip, succeeded, created_at)
            VALUES (\(bind: UUID.v7()), \(bind: email), \(bind: ip), \(bind: succeeded), \(bind: now))
            """)
    }

    /// Failures since `since` for the email and for the IP, with the oldest failure time of each.
    public func failures(email: String, ip: String, since: Date) async throws -> (email: Int, emailOldest: Date?, ip: Int, ipOldest: Date?) {
        let byEmail = try await database.first(
            """
            SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM login_attempts
            WHERE email = \(bind: email) AND succeeded = \(bind: false) AND created_at > \(bind: since)
            """)
        let byIP = try await database.first(
            """
            SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM login_attempts
            WHERE ip = \(bind: ip) AND succeeded = \(bind: false) AND created_at > \(bind: since)
            """)
        return (
            try byEmail?.get("n", as: Int.self) ?? 0, try byEmail?.get("oldest", as: Date?.self),
            try byIP?.get("n", as: Int.self) ?? 0, try byIP?.get("oldest", as: Date?.self)
        )
    }

    /// After a successful login the email's earlier failures no longer count.
    public func clearFailures(email: String) async throws {
        try await database.execute("DELETE FROM login_attempts WHERE email = \(bind: email) AND succeeded = \(bind: false)")
    }

    public func prune(before: Date) async throws {
        try await database.execute("DELETE FROM login_attempts WHERE created_at < \(bind: before)")
    }
}
