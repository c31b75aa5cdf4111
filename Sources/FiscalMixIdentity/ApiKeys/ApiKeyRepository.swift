public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

public struct ApiKey: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case active, revoked }
    public let id: UUID
    public let accountId: UUID
    public let name: String
    /// The first characters of the key, shown so people can tell keys apart.
    public let prefix: String
    public let scopes: [Scope]
    public let status: Status
    public let createdByUserId: UUID?
    public let lastUsedAt: Date?
    public let expiresAt: Date?
    public let revokedAt: Date?
    public let createdAt: Date

    public init(
        id: UUID, accountId: UUID, name: String, prefix: String, scopes: [Scope], status: Status, createdByUserId: UUID?,
        lastUsedAt: Date?, expiresAt: Date?, revokedAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.prefix = prefix
        self.scopes = scopes
        self.status = status
        self.createdByUserId = createdByUserId
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.createdAt = createdAt
    }
}

public struct ApiKeyLookup: Sendable {
    public let key: ApiKey
    public let accountStatus: Account.Status
}

/// docs/data-model.md api_keys: only the SHA-256 of the secret is stored.
public struct ApiKeyRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ key: ApiKey, hash: String) async throws {
        try await database.execute(
            """
            INSERT INTO api_keys (id, account_id, name, prefix, key_hash, permissions, status, created_by_user_id, expires_at, created_at)
            VALUES (\(bind: key.id), \(bind: key.accountId), \(bind: key.name), \(bind: key.prefix), \(bind: hash),
                    \(json: jsonText(key.scopes.map(\.rawValue))), \(bind: key.status.rawValue), \(bind: key.createdByUserId),
                    \(bind: key.expiresAt), \(bind: key.createdAt))
            """)
    }

    public func lookup(hash: String) async throws -> ApiKeyLookup? {
        guard
            let row = try await database.first(
                """
                SELECT k.*, a.status AS account_status FROM api_keys k JOIN accounts a ON a.id = k.account_id
                WHERE k.key_hash = \(bind: hash)
                """)
        else { return nil }
        return ApiKeyLookup(key: try Self.decode(row), accountStatus: try row.enumValue("account_status"))
    }

    public func find(id: UUID, accountId: UUID) async throws -> ApiKey? {
        try await database.first("SELECT * FROM api_keys WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<ApiKey> {
        try await database.page("SELECT * FROM api_keys WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    public func revoke(id: UUID, accountId: UUID, at now: Date) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE api_keys SET status = 'revoked', revoked_at = \(bind: now)
            WHERE id = \(bind: id) AND account_id = \(bind: accountId) AND status = 'active' RETURNING id
            """)
        return !rows.isEmpty
    }

    public func touch(id: UUID, at now: Date) async throws {
        try await database.execute("UPDATE api_keys SET last_used_at = \(bind: now) WHERE id = \(bind: id)")
    }

    static func decode(_ row: any SQLRow) throws -> ApiKey {
        let scopes: [String] = try row.jsonValue("permissions")
        return ApiKey(
            id: try row.get("id"), accountId: try row.get("account_id"), name: try row.get("name"), prefix: try row.get("prefix"),
            scopes: scopes.compactMap(Scope.init(rawValue:)), status: try row.enumValue("status"),
            createdByUserId: try row.get("created_by_user_id"), lastUsedAt: try row.get("last_used_at"),
            expiresAt: try row.get("expires_at"), revokedAt: try row.get("revoked_at"), createdAt: try row.get("created_at"))
    }
}
