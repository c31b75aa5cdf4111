import FiscalMixCore
import FiscalMixDatabase
import FiscalMixVault
import Foundation
import Synchronization

/// Secrets opened from the vault, kept in memory by reference id (a reference never changes
/// what it points at), so a busy endpoint or inbox does not unseal per message.
final class OpenedSecrets: Sendable {
    private let vault: SecretVault
    private let opened = Mutex<[UUID: String]>([:])

    init(database: Database, vault: SecretVault) {
        self.vault = vault
    }

    func secret(_ refId: UUID, accountId: UUID) async throws -> String {
        if let hit = opened.withLock({ $0[refId] }) { return hit }
        guard let ref = try await vault.ref(id: refId, accountId: accountId), ref.provider == .db,
            let sealedId = UUID(uuidString: ref.ref)
        else { throw FiscalMixError.notFound("Secret") }
        let secret = String(decoding: try await vault.reveal(sealedId, accountId: accountId), as: UTF8.self)
        opened.withLock { cache in
            if cache.count >= 10_000 { cache.removeAll() }
            cache[refId] = secret
        }
        return secret
    }
}
