public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `certificates` rows. The seed's `encrypted_blob` and `encrypted_password` columns hold
/// `sealed:<id>` references to `sealed_secrets`, so `fiscalmix keys rotate` covers certificates
/// with every other secret (docs/data-model.md).
public struct CertificateRepository: Sendable {
    static let sealedPrefix = "sealed:"
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ c: CertificateRecord, in tx: Transaction) async throws {
        let metadata: [String: String] = ["subject": c.subject, "issuer": c.issuer, "serial": c.serial, "cnpj": c.cnpj]
        try await tx.execute(
            """
            INSERT INTO certificates (id, company_id, account_id, type, encrypted_blob, enc_alg, encrypted_password, fingerprint,
                                      metadata, valid_from, valid_to, status, created_at, updated_at)
            VALUES (\(bind: c.id), \(bind: c.companyId), \(bind: c.accountId), \(bind: c.type), \(bind: Self.sealedPrefix + c.fileSecretId.lowercased),
                    'AES-256-GCM', \(bind: Self.sealedPrefix + c.passwordSecretId.lowercased), \(bind: c.fingerprint), \(json: jsonText(metadata)),
                    \(bind: c.validFrom), \(bind: c.validTo), \(bind: c.status.rawValue), \(bind: c.createdAt), \(bind: c.updatedAt))
            """)
    }

    public func find(id: UUID, accountId: UUID) async throws -> CertificateRecord? {
        try await database.first("SELECT * FROM certificates WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(companyId: UUID, accountId: UUID) async throws -> [CertificateRecord] {
        try await database.query(
            """
            SELECT * FROM certificates WHERE company_id = \(bind: companyId) AND account_id = \(bind: accountId) ORDER BY valid_to DESC, id DESC
            """
        ).map(Self.decode)
    }

    /// The active A1 certificate a company signs and connects with: the one valid longest.
    public func current(companyId: UUID, accountId: UUID, now: Date) async throws -> CertificateRecord? {
        try await database.first(
            """
            SELECT * FROM certificates WHERE company_id = \(bind: companyId) AND account_id = \(bind: accountId) AND type = 'A1'
              AND status = 'active' AND valid_from <= \(bind: now) AND valid_to > \(bind: now)
            ORDER BY valid_to DESC, id DESC LIMIT 1
            """
        ).map(Self.decode)
    }

    /// Active certificates of an account that expire before `before` (already expired ones too).
    public func expiring(accountId: UUID, before: Date) async throws -> [CertificateRecord] {
        try await database.query(
            """
            SELECT * FROM certificates WHERE account_id = \(bind: accountId) AND status = 'active' AND valid_to <= \(bind: before)
            ORDER BY valid_to, id
            """
        ).map(Self.decode)
    }

    /// Marks every active certificate past its end as expired; returns how many changed.
    /// Companies (of every account) holding an active A1 certificate valid at `now`.
    func companiesWithCurrentA1(now: Date) async throws -> [UUID] {
        try await database.query(
            """
            SELECT DISTINCT company_id FROM certificates
             WHERE type = 'A1' AND status = 'active' AND valid_from <= \(bind: now) AND valid_to > \(bind: now)
            """
        ).map { try $0.get("company_id") }
    }

    public func markExpired(now: Date) async throws -> Int {
        let rows = try await database.query(
            """
            UPDATE certificates SET status = 'expired', updated_at = \(bind: now)
            WHERE status = 'active' AND valid_to <= \(bind: now) RETURNING id
            """)
        return rows.count
    }

    public func setStatus(id: UUID, accountId: UUID, status: CertificateRecord.Status, now: Date, in tx: Transaction) async throws {
        try await tx.execute(
            """
            UPDATE certificates SET status = \(bind: status.rawValue), updated_at = \(bind: now) WHERE id = \(bind: id) AND account_id = \(bind: accountId)
            """)
    }

    static func decode(_ row: any SQLRow) throws -> CertificateRecord {
        let metadata: [String: String] = try row.jsonValue("metadata")
        func secretId(_ column: String) throws -> UUID {
            let text: String = try row.get(column)
            guard text.hasPrefix(sealedPrefix), let id = UUID(uuidString: String(text.dropFirst(sealedPrefix.count))) else {
                throw FiscalError(.unavailable, .certificateUnreadable, "A certificate row does not reference its sealed file.")
            }
            return id
        }
        return CertificateRecord(
            id: try row.get("id"), accountId: try row.get("account_id"), companyId: try row.get("company_id"), type: try row.get("type"),
            status: try row.enumValue("status"), fingerprint: try row.get("fingerprint"), subject: metadata["subject"] ?? "",
            issuer: metadata["issuer"] ?? "", serial: metadata["serial"] ?? "", cnpj: metadata["cnpj"] ?? "",
            validFrom: try row.get("valid_from"), validTo: try row.get("valid_to"), createdAt: try row.get("created_at"),
            updatedAt: try row.get("updated_at"), fileSecretId: try secretId("encrypted_blob"), passwordSecretId: try secretId("encrypted_password"))
    }
}
