public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `connectors`, always scoped to an account (their `secret_refs` belong to the vault).
public struct ConnectorRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ c: Connector, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO connectors (id, account_id, type, name, status, base_url, auth_type, secret_ref_id, policy_id, timeout_seconds,
                                    settings, created_at, updated_at)
            VALUES (\(bind: c.id), \(bind: c.accountId), \(bind: c.type), \(bind: c.name), \(bind: c.status.rawValue), \(bind: c.baseURL),
                    \(bind: c.authType.rawValue), \(bind: c.secretRefId), \(bind: c.policyId), \(bind: c.timeoutSeconds),
                    \(json: jsonText(c.settings)), \(bind: c.createdAt), \(bind: c.updatedAt))
            """)
    }

    public func update(_ c: Connector, in tx: Transaction) async throws {
        try await tx.execute(
            """
            UPDATE connectors SET type = \(bind: c.type), name = \(bind: c.name), status = \(bind: c.status.rawValue),
                   base_url = \(bind: c.baseURL), auth_type = \(bind: c.authType.rawValue), secret_ref_id = \(bind: c.secretRefId),
                   policy_id = \(bind: c.policyId), timeout_seconds = \(bind: c.timeoutSeconds), settings = \(json: jsonText(c.settings)),
                   updated_at = \(bind: c.updatedAt)
            WHERE id = \(bind: c.id) AND account_id = \(bind: c.accountId)
            """)
    }

    public func find(id: UUID, accountId: UUID) async throws -> Connector? {
        try await database.first("SELECT * FROM connectors WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<Connector> {
        try await database.page("SELECT * FROM connectors WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    public func delete(id: UUID, accountId: UUID, in tx: Transaction) async throws -> Bool {
        !(try await tx.query("DELETE FROM connectors WHERE id = \(bind: id) AND account_id = \(bind: accountId) RETURNING id")).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> Connector {
        Connector(
            id: try row.get("id"), accountId: try row.get("account_id"), type: try row.get("type"), name: try row.get("name"),
            status: try row.enumValue("status"), baseURL: try row.get("base_url"), authType: try row.enumValue("auth_type"),
            secretRefId: try row.get("secret_ref_id"), policyId: try row.get("policy_id"), timeoutSeconds: try row.get("timeout_seconds"),
            settings: try row.jsonValue("settings"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
