import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixSecrets
public import FiscalMixVault
public import Foundation

/// Where users' TOTP secrets live: sealed by the envelope service in `sealed_secrets` (owner
/// `users`/<user id>), the user row keeping only the secret's id — so `keys rotate` re-wraps them
/// with every other secret.
///
/// Secrets written before that (`v1.…`, sealed by `SecretBox` directly under a master key) still
/// open with the current or a previous master key, and move into the vault at the user's next
/// successful code or at the next `keys rotate`.
public struct MFASecrets: Sendable {
    static let ownerTable = "users"
    let vault: SecretVault
    let users: UserRepository
    /// The current master key first, then the previous ones.
    let legacy: [SecretBox]

    public init(database: Database, vault: SecretVault, masterKeys: [MasterKey]) {
        self.vault = vault
        users = UserRepository(database: database)
        legacy = masterKeys.map(SecretBox.init)
    }

    /// Seals a new secret for the user; returns what the user row keeps.
    public func seal(_ secret: [UInt8], userId: UUID, accountId: UUID) async throws -> String {
        try await vault.store(secret, ownerTable: Self.ownerTable, ownerId: userId.lowercased, accountId: accountId).lowercased
    }

    /// The secret a user row refers to. A reference to another user's secret, or to none, fails
    /// as tampering would.
    public func open(_ stored: String, userId: UUID, accountId: UUID) async throws -> Data {
        if stored.hasPrefix("v1.") { return try openLegacy(stored, userId: userId) }
        guard let id = UUID(uuidString: stored), let secret = try await vault.find(id: id, accountId: accountId),
            secret.ownerTable == Self.ownerTable, secret.ownerId == userId.lowercased
        else { throw SecretBoxError.authenticationFailed(owner: "users.mfa_secret:\(userId.lowercased)") }
        return try await vault.open(secret)
    }

    /// Removes the sealed secret a user row referred to (after re-enrolment or disabling MFA).
    public func discard(_ stored: String?, accountId: UUID) async throws {
        guard let stored, let id = UUID(uuidString: stored) else { return }
        try await vault.delete(id: id, accountId: accountId)
    }

    /// Removes every sealed secret of the user (MFA turned off).
    public func discardAll(userId: UUID, accountId: UUID) async throws {
        try await vault.deleteOwned(ownerTable: Self.ownerTable, ownerId: userId.lowercased, accountId: accountId)
    }

    /// Moves a `v1.` secret into the vault, unless the row changed meanwhile. Returns whether it moved.
    @discardableResult
    public func upgrade(_ stored: String, userId: UUID, accountId: UUID) async throws -> Bool {
        guard stored.hasPrefix("v1.") else { return false }
        let secret = try openLegacy(stored, userId: userId)
        let reference = try await seal(Array(secret), userId: userId, accountId: accountId)
        if try await users.replaceMFASecret(userId: userId, from: stored, to: reference, at: Date()) { return true }
        try await discard(reference, accountId: accountId)
        return false
    }

    /// Upgrades every `v1.` secret left (what `keys rotate` runs before re-wrapping). One that no
    /// master key given opens stops it with an error naming the user, not the secret.
    public func upgradeAll(batchSize: Int) async throws -> Int {
        var moved = 0
        var last: UUID?
        while true {
            let batch = try await users.legacyMFASecrets(after: last, limit: batchSize)
            guard let tail = batch.last else { return moved }
            for row in batch where try await upgrade(row.sealed, userId: row.userId, accountId: row.accountId) { moved += 1 }
            last = tail.userId
        }
    }

    func openLegacy(_ stored: String, userId: UUID) throws -> Data {
        let aad = "users.mfa_secret:\(userId.lowercased)"
        var failure: (any Error)?
        for box in legacy {
            do { return try box.open(stored, aad: aad) } catch { failure = error }
        }
        throw failure ?? SecretBoxError.authenticationFailed(owner: aad)
    }
}
