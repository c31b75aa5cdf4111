public import FiscalMixDatabase
public import Foundation
import SQLKit

/// Hashed single-use MFA recovery codes.
public struct RecoveryCodeRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func replace(userId: UUID, hashes: [String], at now: Date, in tx: Transaction) async throws {
        try await tx.execute("DELETE FROM user_recovery_codes WHERE user_id = \(bind: userId)")
        for hash in hashes {
            try await tx.execute(
                """
                INSERT INTO user_recovery_codes (id, user_id, code_hash, created_at)
                VALUES (\(bind: UUID.v7()), \(bind: userId), \(bind: hash), \(bind: now))
                """)
        }
    }

    public func deleteAll(userId: UUID, in tx: Transaction) async throws {
        try await tx.execute("DELETE FROM user_recovery_codes WHERE user_id = \(bind: userId)")
    }

    /// Marks an unused code used; false if there is no such unused code.
    public func consume(userId: UUID, hash: String, at now: Date) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE user_recovery_codes SET used_at = \(bind: now)
            WHERE user_id = \(bind: userId) AND code_hash = \(bind: hash) AND used_at IS NULL
            RETURNING id
            """)
        return !rows.isEmpty
    }

    public func remaining(userId: UUID) async throws -> Int {
        let row = try await database.first("SELECT COUNT(*) AS n FROM user_recovery_codes WHERE user_id = \(bind: userId) AND used_at IS NULL")
        return try row?.get("n", as: Int.self) ?? 0
    }
}
