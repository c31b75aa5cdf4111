public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `connector_tokens` (docs/data-model.md): the access token a connector obtained (OAuth client
/// credentials), sealed, one row per connector, shared by every process.
public struct ConnectorTokenRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public struct StoredToken: Sendable, Equatable {
        public let connectorId: UUID
        /// The credential the token was obtained with.
        public let secretRefId: UUID?
        public var envelope: Envelope
        public let expiresAt: Date?

        public init(connectorId: UUID, secretRefId: UUID?, envelope: Envelope, expiresAt: Date?) {
            self.connectorId = connectorId
            self.secretRefId = secretRefId
            self.envelope = envelope
            self.expiresAt = expiresAt
        }
    }

    public func find(connectorId: UUID) async throws -> StoredToken? {
        try await database.first("SELECT * FROM connector_tokens WHERE connector_id = \(bind: connectorId)").map(Self.decode)
    }

    /// Stores the connector's token, replacing the one it had.
    public func save(_ token: StoredToken, now: Date) async throws {
        let e = token.envelope
        try await database.execute(
            """
            INSERT INTO connector_tokens (connector_id, secret_ref_id, enc_version, enc_alg, enc_nonce, enc_ciphertext, wrapped_dek, kek_id,
                                          expires_at, created_at, updated_at)
            VALUES (\(bind: token.connectorId), \(bind: token.secretRefId), \(bind: e.encVersion), \(bind: e.encAlg), \(bind: e.encNonce),
                    \(bind: e.encCiphertext), \(bind: e.wrappedDEK), \(bind: e.kekId), \(bind: token.expiresAt), \(bind: now), \(bind: now))
            ON CONFLICT (connector_id) DO UPDATE SET secret_ref_id = excluded.secret_ref_id, enc_version = excluded.enc_version,
                enc_alg = excluded.enc_alg, enc_nonce = excluded.enc_nonce, enc_ciphertext = excluded.enc_ciphertext,
                wrapped_dek = excluded.wrapped_dek, kek_id = excluded.kek_id, expires_at = excluded.expires_at, updated_at = excluded.updated_at
            """)
    }

    /// Tokens whose data key another KEK than `keyId` wraps: what a rotation has left here.
    public func wrappedByOtherKeys(than keyId: String, limit: Int) async throws -> [StoredToken] {
        try await database.query(
            """
            SELECT * FROM connector_tokens WHERE kek_id <> \(bind: keyId) ORDER BY connector_id LIMIT \(bind: limit)
            """
        ).map(Self.decode)
    }

    public func count(wrappedByOtherKeysThan keyId: String) async throws -> Int {
        try await database.first("SELECT COUNT(*) AS n FROM connector_tokens WHERE kek_id <> \(bind: keyId)")?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Replaces the wrapped data key if the row still holds the sealed token it was read with
    /// (a token stored meanwhile is already wrapped by the current key).
    @discardableResult
    public func replaceWrap(_ token: StoredToken, to envelope: Envelope, now: Date) async throws -> Bool {
        !(try await database.query(
            """
            UPDATE connector_tokens SET wrapped_dek = \(bind: envelope.wrappedDEK), kek_id = \(bind: envelope.kekId), updated_at = \(bind: now)
            WHERE connector_id = \(bind: token.connectorId) AND kek_id = \(bind: token.envelope.kekId)
              AND enc_ciphertext = \(bind: token.envelope.encCiphertext) RETURNING connector_id
            """)).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> StoredToken {
        StoredToken(
            connectorId: try row.get("connector_id"), secretRefId: try row.get("secret_ref_id"),
            envelope: Envelope(
                encVersion: try row.get("enc_version"), encAlg: try row.get("enc_alg"), encNonce: try row.get("enc_nonce"),
                encCiphertext: try row.get("enc_ciphertext"), wrappedDEK: try row.get("wrapped_dek"),
                kekId: try row.get("kek_id")),
            expiresAt: try row.get("expires_at"))
    }
}
