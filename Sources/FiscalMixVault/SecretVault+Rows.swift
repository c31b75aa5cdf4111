public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// The vault's rows as other slices use them: a sealed secret is stored and removed in the
/// transaction of the row that owns it, so an owner never refers to a secret that is not there.
extension SecretVault {
    /// Stores a secret sealed by `seal(_:ownerTable:ownerId:accountId:)` inside the owner's transaction.
    public func insert(_ secret: SealedSecret, in tx: Transaction) async throws {
        try await repository.insert(secret, now: clock.now(), in: tx)
    }

    public func delete(id: UUID, in tx: Transaction) async throws {
        try await repository.delete(id: id, in: tx)
    }

    /// Removes a secret of `accountId` (another account's id removes nothing).
    public func delete(id: UUID, accountId: UUID) async throws {
        try await repository.delete(id: id, accountId: accountId)
    }

    /// Removes every secret an owner row holds.
    public func deleteOwned(ownerTable: String, ownerId: String, accountId: UUID) async throws {
        try await repository.deleteOwned(ownerTable: ownerTable, ownerId: ownerId, accountId: accountId)
    }

    /// The sealed secret with `id` of `accountId`, unopened; nil for another account's id.
    public func find(id: UUID, accountId: UUID?) async throws -> SealedSecret? {
        try await repository.find(id: id, accountId: accountId)
    }

    /// Records where an owner's credential lives, in the owner's transaction.
    public func insertRef(_ ref: SecretRef, in tx: Transaction) async throws {
        try await refs.insert(ref, now: clock.now(), in: tx)
    }

    /// The reference with `id` of `accountId`; nil for another account's id.
    public func ref(id: UUID, accountId: UUID) async throws -> SecretRef? {
        try await refs.find(id: id, accountId: accountId)
    }

    public func deleteRef(id: UUID, in tx: Transaction) async throws {
        try await refs.delete(id: id, in: tx)
    }
}
