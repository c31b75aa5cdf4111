public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// A user together with the credentials only the identity service may see.
public struct UserCredentials: Sendable {
    public let user: User
    public let passwordHash: String
    /// The TOTP secret, sealed under the master key (never plaintext at rest).
    public let sealedMFASecret: String?
    public let mfaLastUsedStep: Int64?
}

public struct UserRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ user: User, passwordHash: String, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO users (id, account_id, name, email, password_hash, role, status, is_staff, mfa_enabled, created_at, updated_at)
            VALUES (\(bind: user.id), \(bind: user.accountId), \(bind: user.name), \(bind: user.email), \(bind: passwordHash),
                    \(bind: user.role.rawValue), \(bind: user.status.rawValue), \(bind: user.isStaff), \(bind: user.mfaEnabled),
                    \(bind: user.createdAt), \(bind: user.updatedAt))
            """)
    }

    public func credentials(email: String) async throws -> UserCredentials? {
        try await database.first("SELECT * FROM users WHERE email = \(bind: email)").map(Self.decodeCredentials)
    }

    public func credentials(id: UUID) async throws -> UserCredentials? {
        try await database.first("SELECT * FROM users WHERE id = \(bind: id)").map(Self.decodeCredentials)
    }

    /// A user of one account; a user of another account is not found.
    public func find(id: UUID, accountId: UUID) async throws -> User? {
        try await database.first("SELECT * FROM users WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func emailExists(_ email: String) async throws -> Bool {
        try await database.first("SELECT id FROM users WHERE email = \(bind: email)") != nil
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<User> {
        try await database.page("SELECT * FROM users WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    public func update(role: AccountRole, status: User.Status, userId: UUID, accountId: UUID, at now: Date, in tx: Transaction) async throws {
        try await tx.execute(
            """
            UPDATE users SET role = \(bind: role.rawValue), status = \(bind: status.rawValue), updated_at = \(bind: now)
            WHERE id = \(bind: userId) AND account_id = \(bind: accountId)
            """)
    }

    public func countOwners(accountId: UUID, in tx: Transaction) async throws -> Int {
        let row = try await tx.first("SELECT COUNT(*) AS n FROM users WHERE account_id = \(bind: accountId) AND role = 'owner' AND status = 'active'")
        return try row?.get("n", as: Int.self) ?? 0
    }

    public func updatePassword(userId: UUID, hash: String, at now: Date) async throws {
        try await database.execute("UPDATE users SET password_hash = \(bind: hash), updated_at = \(bind: now) WHERE id = \(bind: userId)")
    }

    /// Stores a sealed secret awaiting confirmation (MFA stays off until a code proves it).
    public func setPendingMFASecret(userId: UUID, sealed: String, at now: Date) async throws {
        try await database.execute(
            """
            UPDATE users SET mfa_secret = \(bind: sealed), mfa_enabled = \(bind: false), mfa_last_used_step = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: userId)
            """)
    }

    /// Replaces the stored MFA secret only if it is still `old`. Returns whether it was.
    public func replaceMFASecret(userId: UUID, from old: String, to new: String, at now: Date) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE users SET mfa_secret = \(bind: new), updated_at = \(bind: now)
            WHERE id = \(bind: userId) AND mfa_secret = \(bind: old)
            RETURNING id
            """)
        return !rows.isEmpty
    }

    /// MFA secrets still sealed the old way (`v1.`, directly under a master key), in id order after `after`.
    public func legacyMFASecrets(after: UUID?, limit: Int) async throws -> [(userId: UUID, accountId: UUID, sealed: String)] {
        var sql: SQLQueryString = "SELECT id, account_id, mfa_secret FROM users WHERE mfa_secret LIKE 'v1.%'"
        if let after { sql += " AND id > \(bind: after)" }
        sql += " ORDER BY id LIMIT \(bind: limit)"
        return try await database.query(sql).map { (try $0.get("id"), try $0.get("account_id"), try $0.get("mfa_secret")) }
    }

    public func setMFAEnabled(userId: UUID, enabled: Bool, at now: Date, in tx: Transaction) async throws {
        if enabled {
            try await tx.execute("UPDATE users SET mfa_enabled = \(bind: true), updated_at = \(bind: now) WHERE id = \(bind: userId)")
        } else {
            try await tx.execute(
                """
                UPDATE users SET mfa_enabled = \(bind: false), mfa_secret = NULL, mfa_last_used_step = NULL, updated_at = \(bind: now)
                WHERE id = \(bind: userId)
                """)
        }
    }

    /// Records `step` as used if it is newer than the last used step. Returns false when a
    /// concurrent request already used this or a later step, so a code works once only.
    public func consumeTOTPStep(userId: UUID, step: Int64) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE users SET mfa_last_used_step = \(bind: step)
            WHERE id = \(bind: userId) AND (mfa_last_used_step IS NULL OR mfa_last_used_step < \(bind: step))
            RETURNING id
            """)
        return !rows.isEmpty
    }

    public func recordLogin(userId: UUID, at now: Date) async throws {
        try await database.execute("UPDATE users SET last_login_at = \(bind: now) WHERE id = \(bind: userId)")
    }

    static func decode(_ row: any SQLRow) throws -> User {
        User(
            id: try row.get("id"), accountId: try row.get("account_id"), name: try row.get("name"), email: try row.get("email"),
            role: try row.enumValue("role"), status: try row.enumValue("status"), isStaff: try row.get("is_staff"),
            mfaEnabled: try row.get("mfa_enabled"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }

    static func decodeCredentials(_ row: any SQLRow) throws -> UserCredentials {
        UserCredentials(
            user: try decode(row), passwordHash: try row.get("password_hash"),
            sealedMFASecret: try row.get("mfa_secret", as: String?.self),
            mfaLastUsedStep: try row.get("mfa_last_used_step", as: Int64?.self))
    }
}
