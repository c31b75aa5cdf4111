import FiscalMixCore
import FiscalMixDatabase
import Foundation
import SQLKit

/// `secret_refs`: where an owner's credential lives — a sealed secret of the vault (`db`) or,
/// where the operator allows it, an environment variable or a file.
struct SecretRefRepository: Sendable {
    let database: Database
    init(database: Database) { self.database = database }

    func insert(_ r: SecretRef, now: Date, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO secret_refs (id, account_id, provider, ref, version, created_at, updated_at)
            VALUES (\(bind: r.id), \(bind: r.accountId), \(bind: r.provider.rawValue), \(bind: r.ref), \(bind: r.version), \(bind: now), \(bind: now))
            """)
    }

    func find(id: UUID, accountId: UUID) async throws -> SecretRef? {
        try await database.first("SELECT * FROM secret_refs WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map { row in
            SecretRef(
                id: try row.get("id"), accountId: try row.get("account_id"), provider: try row.enumValue("provider"),
                ref: try row.get("ref"), version: try row.get("version"))
        }
    }

    func delete(id: UUID, in tx: Transaction) async throws {
        try await tx.execute("DELETE FROM secret_refs WHERE id = \(bind: id)")
    }
}
