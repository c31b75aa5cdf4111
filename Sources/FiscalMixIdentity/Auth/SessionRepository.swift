public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

public struct SessionRecord: Sendable, Codable, Equatable {
    public let id: UUID
    public let userId: UUID
    public let accountId: UUID
    public let roles: [String]
    public let ip: String?
    public let userAgent: String?
    public let mfaPending: Bool
    public let createdAt: Date
    public let lastSeenAt: Date
    public let idleExpiresAt: Date
    public let expiresAt: Date
    public let revoked: Bool

    public init(
        id: UUID, userId: UUID, accountId: UUID, roles: [String], ip: String?, userAgent: String?, mfaPending: Bool,
        createdAt: Date, lastSeenAt: Date, idleExpiresAt: Date, expiresAt: Date, revoked: Bool
    ) {
        self.id = id
        self.userId = userId
        self.accountId = accountId
        self.roles = roles
        self.ip = ip
        self.userAgent = userAgent
        self.mfaPending = mfaPending
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.idleExpiresAt = idleExpiresAt
        self.expiresAt = expiresAt
        self.revoked = revoked
    }
}

/// A session joined with what authentication needs to decide on it.
public struct SessionLookup: Sendable {
    public let session: SessionRecord
    public let userRole: AccountRole
    public let userStatus: User.Status
    public let isStaff: Bool
    public let accountStatus: Account.Status
}

/// docs/data-model.md sessions: opaque token stored as SHA-256, sliding and absolute expiry, revocation.
public struct SessionRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ s: SessionRecord, tokenHash: String) async throws {
        try await database.execute(
            """
            INSERT INTO sessions (id, user_id, account_id, token_hash, roles, ip, user_agent, mfa_pending, created_at,
                                  last_seen_at, idle_expires_at, expires_at, revoked)
            VALUES (\(bind: s.id), \(bind: s.userId), \(bind: s.accountId), \(bind: tokenHash), \(json: jsonText(s.roles)),
                    \(bind: s.ip), \(bind: s.userAgent), \(bind: s.mfaPending), \(bind: s.createdAt), \(bind: s.lastSeenAt),
                    \(bind: s.idleExpiresAt), \(bind: s.expiresAt), \(bind: false))
            """)
    }

    public func lookup(tokenHash: String) async throws -> SessionLookup? {
        guard
            let row = try await database.first(
                """
                SELECT s.*, u.role AS user_role, u.status AS user_status, u.is_staff AS user_is_staff, a.status AS account_status
                FROM sessions s JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = s.account_id
                WHERE s.token_hash = \(bind: tokenHash)
                """)
        else { return nil }
        return SessionLookup(
            session: try Self.decode(row), userRole: try row.enumValue("user_role"),
            userStatus: try row.enumValue("user_status"), isStaff: try row.get("user_is_staff"),
            accountStatus: try row.enumValue("account_status"))
    }

    /// Slides the idle expiry forward (never past the absolute expiry).
    public func touch(id: UUID, at now: Date, idleExpiresAt: Date) async throws {
        try await database.execute(
            """
            UPDATE sessions SET last_seen_at = \(bind: now), idle_expires_at = \(bind: idleExpiresAt)
            WHERE id = \(bind: id) AND revoked = \(bind: false)
            """)
    }

    /// Turns an MFA-pending session into a full one, once.
    public func completeMFA(id: UUID, at now: Date, idleExpiresAt: Date, expiresAt: Date) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE sessions SET mfa_pending = \(bind: false), last_seen_at = \(bind: now), idle_expires_at = \(bind: idleExpiresAt),
                                expires_at = \(bind: expiresAt)
            WHERE id = \(bind: id) AND mfa_pending = \(bind: true) AND revoked = \(bind: false) RETURNING id
            """)
        return !rows.isEmpty
    }

    @discardableResult
    public func revoke(id: UUID, accountId: UUID, reason: String, at now: Date) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE sessions SET revoked = \(bind: true), revoked_at = \(bind: now), revoked_reason = \(bind: reason)
            WHERE id = \(bind: id) AND account_id = \(bind: accountId) AND revoked = \(bind: false) RETURNING id
            """)
        return !rows.isEmpty
    }

    @discardableResult
    public func revokeAll(userId: UUID, reason: String, at now: Date) async throws -> Int {
        let rows = try await database.query(
            """
            UPDATE sessions SET revoked = \(bind: true), revoked_at = \(bind: now), revoked_reason = \(bind: reason)
            WHERE user_id = \(bind: userId) AND revoked = \(bind: false) RETURNING id
            """)
        return rows.count
    }

    public func find(id: UUID, accountId: UUID) async throws -> SessionRecord? {
        try await database.first("SELECT * FROM sessions WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    /// Live sessions of one user, newest first.
    public func listActive(userId: UUID, now: Date) async throws -> [SessionRecord] {
        try await database.query(
            """
            SELECT * FROM sessions WHERE user_id = \(bind: userId) AND revoked = \(bind: false) AND mfa_pending = \(bind: false)
              AND expires_at > \(bind: now) AND idle_expires_at > \(bind: now)
            ORDER BY id DESC LIMIT 200
            """
        ).map(Self.decode)
    }

    static func decode(_ row: any SQLRow) throws -> SessionRecord {
        SessionRecord(
            id: try row.get("id"), userId: try row.get("user_id"), accountId: try row.get("account_id"),
            roles: try row.jsonValue("roles"), ip: try row.get("ip"), userAgent: try row.get("user_agent"),
            mfaPending: try row.get("mfa_pending"), createdAt: try row.get("created_at"),
            lastSeenAt: try row.get("last_seen_at"), idleExpiresAt: try row.get("idle_expires_at"),
            expiresAt: try row.get("expires_at"), revoked: try row.get("revoked"))
    }
}
