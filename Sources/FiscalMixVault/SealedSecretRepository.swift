public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// A row of `sealed_secrets`: an envelope and the row that owns the secret.
public struct SealedSecret: Sendable, Equatable {
    public let id: UUID
    public let accountId: UUID?
    public let ownerTable: String
    public let ownerId: String
    public var envelope: Envelope

    public init(id: UUID, accountId: UUID?, ownerTable: String, ownerId: String, envelope: Envelope) {
        self.id = id
        self.accountId = accountId
        self.ownerTable = ownerTable
        self.ownerId = ownerId
        self.envelope = envelope
    }
}

/// `sealed_secrets` and `connector_tokens`, the tables that hold envelopes.
public struct SealedSecretRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ secret: SealedSecret, now: Date) async throws {
        try await database.execute(Self.insertSQL(secret, now: now))
    }

    public func insert(_ secret: SealedSecret, now: Date, in tx: Transaction) async throws {
        try await tx.execute(Self.insertSQL(secret, now: now))
    }

    public func delete(id: UUID, in tx: Transaction) async throws {
        try await tx.execute("DELETE FROM sealed_secrets WHERE id = \(bind: id)")
    }

    /// Every secret of one owner row.
    public func deleteOwned(ownerTable: String, ownerId: String, accountId: UUID) async throws {
        try await database.execute(
            """
            DELETE FROM sealed_secrets WHERE owner_table = \(bind: ownerTable) AND owner_id = \(bind: ownerId) AND account_id = \(bind: accountId)
            """)
    }

    public func delete(id: UUID, accountId: UUID) async throws {
        try await database.execute("DELETE FROM sealed_secrets WHERE id = \(bind: id) AND account_id = \(bind: accountId)")
    }

    static func insertSQL(_ secret: SealedSecret, now: Date) -> SQLQueryString {
        let e = secret.envelope
        return """
            INSERT INTO sealed_secrets (id, account_id, owner_table, owner_id, enc_version, enc_alg, enc_nonce, enc_ciphertext, wrapped_dek,
                                        kek_id, created_at, updated_at)
            VALUES (\(bind: secret.id), \(bind: secret.accountId), \(bind: secret.ownerTable), \(bind: secret.ownerId), \(bind: e.encVersion),
                    \(bind: e.encAlg), \(bind: e.encNonce), \(bind: e.encCiphertext), \(bind: e.wrappedDEK), \(bind: e.kekId), \(bind: now), \(bind: now))
            """
    }

    /// The secret, scoped to its account (nil only for deployment-wide secrets).
    public func find(id: UUID, accountId: UUID?) async throws -> SealedSecret? {
        var sql: SQLQueryString = "SELECT * FROM sealed_secrets WHERE id = \(bind: id)"
        if let accountId { sql += " AND account_id = \(bind: accountId)" } else { sql += " AND account_id IS NULL" }
        return try await database.first(sql).map(Self.decode)
    }

    /// Secrets whose data key is wrapped by another KEK than `keyId`: what a rotation has left.
    public func wrappedByOtherKeys(than keyId: String, limit: Int) async throws -> [SealedSecret] {
        try await database.query("SELECT * FROM sealed_secrets WHERE kek_id <> \(bind: keyId) ORDER BY id LIMIT \(bind: limit)").map(Self.decode)
    }

    public func count(wrappedBy keyId: String) async throws -> Int {
        try await database.first("SELECT COUNT(*) AS n FROM sealed_secrets WHERE kek_id = \(bind: keyId)")?.decode(column: "n", as: Int.self) ?? 0
    }

    public func count(wrappedByOtherKeysThan keyId: String) async throws -> Int {
        try await database.first("SELECT COUNT(*) AS n FROM sealed_secrets WHERE kek_id <> \(bind: keyId)")?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Replaces the wrapped data key if the row still has the one it was read with, so a rerun
    /// or a concurrent rotation never overwrites newer state. The ciphertext is not touched.
    @discardableResult
    public func replaceWrap(id: UUID, from oldKeyId: String, to envelope: Envelope, now: Date) async throws -> Bool {
        !(try await database.query(
            """
            UPDATE sealed_secrets SET wrapped_dek = \(bind: envelope.wrappedDEK), kek_id = \(bind: envelope.kekId), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND kek_id = \(bind: oldKeyId) RETURNING id
            """)).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> SealedSecret {
        SealedSecret(
            id: try row.get("id"), accountId: try row.get("account_id"), ownerTable: try row.get("owner_table"),
            ownerId: try row.get("owner_id"),
            envelope: Envelope(
                encVersion: try row.get("enc_version"), encAlg: try row.get("enc_alg"), encNonce: try row.get("enc_nonce"),
                encCiphertext: try row.get("enc_ciphertext"), wrappedDEK: try row.get("wrapped_dek"),
                kekId: try row.get("kek_id")))
    }
}
