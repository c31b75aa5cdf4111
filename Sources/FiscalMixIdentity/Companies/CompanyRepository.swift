public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

public struct CompanyRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ c: Company, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO companies (id, account_id, cnpj, razao_social, nome_fantasia, ie, uf, municipio, tags, status, created_at, updated_at)
            VALUES (\(bind: c.id), \(bind: c.accountId), \(bind: c.cnpj), \(bind: c.razaoSocial), \(bind: c.nomeFantasia), \(bind: c.ie),
                    \(bind: c.uf.rawValue), \(bind: c.municipio), \(json: jsonText(c.tags)), \(bind: c.status.rawValue),
                    \(bind: c.createdAt), \(bind: c.updatedAt))
            """)
    }

    public func find(id: UUID, accountId: UUID) async throws -> Company? {
        try await database.first("SELECT * FROM companies WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    /// Companies of an account; when `visibleTo` is set, only those the user holds a role on.
    public func list(accountId: UUID, visibleTo userId: UUID?, page: PageRequest) async throws -> Page<Company> {
        var sql: SQLQueryString = "SELECT c.* FROM companies c WHERE c.account_id = \(bind: accountId)"
        if let userId {
            sql += " AND EXISTS (SELECT 1 FROM company_user_permissions p WHERE p.company_id = c.id AND p.user_id = \(bind: userId))"
        }
        return try await database.page(sql, by: "c.id", page, decode: Self.decode, id: \.id)
    }

    public func role(companyId: UUID, userId: UUID) async throws -> CompanyRole? {
        try await database.first(
            """
            SELECT role FROM company_user_permissions WHERE company_id = \(bind: companyId) AND user_id = \(bind: userId)
            """
        ).map { try $0.enumValue("role") }
    }

    /// Sets a user's role on a company; returns the previous role.
    public func setRole(companyId: UUID, userId: UUID, role: CompanyRole, at now: Date, in tx: Transaction) async throws -> CompanyRole? {
        let previous: CompanyRole? = try await tx.first(
            """
            SELECT role FROM company_user_permissions WHERE company_id = \(bind: companyId) AND user_id = \(bind: userId)
            """
        ).map { try $0.enumValue("role") }
        if previous == nil {
            try await tx.execute(
                """
                INSERT INTO company_user_permissions (id, company_id, user_id, role, created_at, updated_at)
                VALUES (\(bind: UUID.v7()), \(bind: companyId), \(bind: userId), \(bind: role.rawValue), \(bind: now), \(bind: now))
                """)
        } else {
            try await tx.execute(
                """
                UPDATE company_user_permissions SET role = \(bind: role.rawValue), updated_at = \(bind: now)
                WHERE company_id = \(bind: companyId) AND user_id = \(bind: userId)
                """)
        }
        return previous
    }

    public func removeRole(companyId: UUID, userId: UUID, in tx: Transaction) async throws -> CompanyRole? {
        let previous: CompanyRole? = try await tx.first(
            """
            SELECT role FROM company_user_permissions WHERE company_id = \(bind: companyId) AND user_id = \(bind: userId)
            """
        ).map { try $0.enumValue("role") }
        try await tx.execute("DELETE FROM company_user_permissions WHERE company_id = \(bind: companyId) AND user_id = \(bind: userId)")
        return previous
    }

    public func members(companyId: UUID) async throws -> [(userId: UUID, role: CompanyRole)] {
        try await database.query(
            """
            SELECT user_id, role FROM company_user_permissions WHERE company_id = \(bind: companyId) ORDER BY user_id
            """
        ).map { (try $0.get("user_id"), try $0.enumValue("role")) }
    }

    static func decode(_ row: any SQLRow) throws -> Company {
        Company(
            id: try row.get("id"), accountId: try row.get("account_id"), cnpj: try row.get("cnpj"), razaoSocial: try row.get("razao_social"),
            nomeFantasia: try row.get("nome_fantasia"), ie: try row.get("ie"), uf: try row.enumValue("uf"),
            municipio: try row.get("municipio"), tags: try row.jsonValue("tags"), status: try row.enumValue("status"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}

extension CompanyRepository {
    func companyIds(withMember userId: UUID) async throws -> [UUID] {
        try await database.query("SELECT company_id FROM company_user_permissions WHERE user_id = \(bind: userId) ORDER BY company_id")
            .map { try $0.get("company_id") }
    }

    /// The active ones among `ids`, of every account.
    func active(ids: [UUID]) async throws -> [Company] {
        guard !ids.isEmpty else { return [] }
        return try await database.query("SELECT * FROM companies WHERE status = 'active' AND id IN (\(binds: ids)) ORDER BY id").map(Self.decode)
    }
}
