public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

public struct Invite: Sendable, Codable, Equatable {
    public let id: UUID
    public let accountId: UUID
    public let email: String
    public let role: AccountRole
    public let expiresAt: Date
    public let usedAt: Date?
    public let createdBy: UUID?
    public let createdAt: Date

    public init(id: UUID, accountId: UUID, email: String, role: AccountRole, expiresAt: Date, usedAt: Date?, createdBy: UUID?, createdAt: Date) {
        self.id = id
        self.accountId = accountId
        self.email = email
        self.role = role
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// docs/data-model.md WorkspaceInvite: the token is stored only as its SHA-256.
public struct InviteRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ invite: Invite, tokenHash: String) async throws {
        try await database.execute(
            """
            INSERT INTO account_invites (id, account_id, email, role, token_hash, expires_at, created_by, created_at)
            VALUES (\(bind: invite.id), \(bind: invite.accountId), \(bind: invite.email), \(bind: invite.role.rawValue),
                    \(bind: tokenHash), \(bind: invite.expiresAt), \(bind: invite.createdBy), \(bind: invite.createdAt))
            """)
    }

    public func find(tokenHash: String, in tx: Transaction) async throws -> Invite? {
        try await tx.first("SELECT * FROM account_invites WHERE token_hash = \(bind: tokenHash)").map(Self.decode)
    }

    /// Marks the invite used if it still is unused; false when another request won the race.
    public func markUsed(id: UUID, by userId: UUID, at now: Date, in tx: Transaction) async throws -> Bool {
        let rows = try await tx.query(
            """
            UPDATE account_invites SET used_at = \(bind: now), used_by_user_id = \(bind: userId)
            WHERE id = \(bind: id) AND used_at IS NULL RETURNING id
            """)
        return !rows.isEmpty
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<Invite> {
        try await database.page("SELECT * FROM account_invites WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    static func decode(_ row: any SQLRow) throws -> Invite {
        Invite(
            id: try row.get("id"), accountId: try row.get("account_id"), email: try row.get("email"), role: try row.enumValue("role"),
            expiresAt: try row.get("expires_at"), usedAt: try row.get("used_at"), createdBy: try row.get("created_by"),
            createdAt: try row.get("created_at"))
    }
}
