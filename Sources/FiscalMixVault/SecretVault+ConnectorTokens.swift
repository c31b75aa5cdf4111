import FiscalMixCore
import FiscalMixDatabase
import FiscalMixSecrets
public import Foundation

/// The access tokens connectors obtain (OAuth client credentials), sealed in `connector_tokens`
/// like every other secret: each under its own data key, bound to its connector, the
/// credential it was obtained with and the account, so every process shares one token per
/// connector and a restart does not fetch a new one.
extension SecretVault {
    static func tokenContext(connectorId: UUID, secretRefId: UUID?, accountId: UUID) -> SealContext {
        SealContext(table: "connector_tokens", rowId: "\(connectorId.lowercased)/\(secretRefId?.lowercased ?? "-")", accountId: accountId)
    }

    /// The connector's stored token while it is valid for `margin` more seconds and was obtained
    /// with the credential the connector uses now; nil otherwise. A row that does not open
    /// (tampered, or moved from another connector or account) is an error naming the row.
    public func connectorToken(
        connectorId: UUID, secretRefId: UUID?, accountId: UUID, margin: TimeInterval = 30
    ) async throws -> (token: String, expiresAt: Date?)? {
        guard let stored = try await tokens.find(connectorId: connectorId), stored.secretRefId == secretRefId else { return nil }
        if let expiresAt = stored.expiresAt, expiresAt.timeIntervalSince(clock.now()) <= margin { return nil }
        let plaintext = try await envelopes.open(
            stored.envelope,
            for: Self.tokenContext(
                connectorId: connectorId, secretRefId: secretRefId,
                accountId: accountId))
        return (String(decoding: plaintext, as: UTF8.self), stored.expiresAt)
    }

    /// Seals and stores the connector's new token (replacing the previous one).
    public func storeConnectorToken(_ token: String, connectorId: UUID, secretRefId: UUID?, accountId: UUID, expiresAt: Date?) async throws {
        let envelope = try await envelopes.seal(
            Data(token.utf8),
            for: Self.tokenContext(
                connectorId: connectorId, secretRefId: secretRefId,
                accountId: accountId))
        try await tokens.save(.init(connectorId: connectorId, secretRefId: secretRefId, envelope: envelope, expiresAt: expiresAt), now: clock.now())
    }
}
