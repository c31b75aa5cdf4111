import FiscalMixCore
import FiscalMixSecrets
import FiscalMixStorage
import FiscalMixVault
import Foundation
import Synchronization

/// The keys that sign an endpoint's deliveries: its secret and, inside a rotation's overlap, the
/// previous one. Opened secrets are kept in memory by reference id (a reference never changes
/// what it points at), so a busy endpoint does not unseal per delivery.
final class SigningKeys: Sendable {
    private let secretRefs: ConnectorRepository
    private let vault: SecretVault
    private let opened = Mutex<[UUID: WebhookSignature.Key]>([:])

    init(database: Database, vault: SecretVault) {
        secretRefs = ConnectorRepository(database: database)
        self.vault = vault
    }

    func keys(for endpoint: WebhookEndpoint, now: Date) async throws -> [WebhookSignature.Key] {
        var keys: [WebhookSignature.Key] = []
        if let id = endpoint.secretRefId { keys.append(try await key(id, accountId: endpoint.accountId)) }
        if let id = endpoint.previousSecretRefId, let until = endpoint.previousSecretExpiresAt, until > now {
            keys.append(try await key(id, accountId: endpoint.accountId))
        }
        guard !keys.isEmpty else { throw JobFailure.doNotRetry(message: "the endpoint has no signing secret") }
        return keys
    }

    private func key(_ refId: UUID, accountId: UUID) async throws -> WebhookSignature.Key {
        if let hit = opened.withLock({ $0[refId] }) { return hit }
        guard let ref = try await secretRefs.secretRef(id: refId, accountId: accountId), ref.provider == .db,
              let sealedId = UUID(uuidString: ref.ref) else {
            throw JobFailure.doNotRetry(message: "the endpoint's signing secret is missing")
        }
        let key = try WebhookSignature.key(String(decoding: try await vault.reveal(sealedId, accountId: accountId), as: UTF8.self))
        opened.withLock { cache in
            if cache.count >= 10_000 { cache.removeAll() }
            cache[refId] = key
        }
        return key
    }
}
