public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixSecrets
public import Foundation

/// Stores and reads secrets through the envelope service: connectors, certificates and webhook
/// endpoints keep only the id of their sealed secret.
public struct SecretVault: Sendable {
    let repository: SealedSecretRepository
    let tokens: ConnectorTokenRepository
    let refs: SecretRefRepository
    let envelopes: EnvelopeService
    let clock: any WallClock

    public init(database: Database, envelopes: EnvelopeService, clock: any WallClock = SystemWallClock()) {
        repository = SealedSecretRepository(database: database)
        tokens = ConnectorTokenRepository(database: database)
        refs = SecretRefRepository(database: database)
        self.envelopes = envelopes
        self.clock = clock
    }

    /// The additional data binds the ciphertext to the secret's row, its owner and its account.
    static func context(_ id: UUID, ownerTable: String, ownerId: String, accountId: UUID?) -> SealContext {
        SealContext(table: "sealed_secrets/\(ownerTable)", rowId: "\(id.lowercased)/\(ownerId)", accountId: accountId)
    }

    /// Seals `plaintext` for the owner row and stores it; returns the new secret's id.
    public func store(_ plaintext: some DataProtocol, ownerTable: String, ownerId: String, accountId: UUID?) async throws -> UUID {
        let secret = try await seal(plaintext, ownerTable: ownerTable, ownerId: ownerId, accountId: accountId)
        try await repository.insert(secret, now: clock.now())
        return secret.id
    }

    /// Seals `plaintext` for the owner row without storing it, for callers that insert it in
    /// the same transaction as its owner.
    public func seal(_ plaintext: some DataProtocol, ownerTable: String, ownerId: String, accountId: UUID?) async throws -> SealedSecret {
        let id = ID.make(now: clock.now())
        let envelope = try await envelopes.seal(plaintext, for: Self.context(id, ownerTable: ownerTable, ownerId: ownerId, accountId: accountId))
        return SealedSecret(id: id, accountId: accountId, ownerTable: ownerTable, ownerId: ownerId, envelope: envelope)
    }

    /// Opens a secret of `accountId`; another account's id reads as not found.
    public func reveal(_ id: UUID, accountId: UUID?) async throws -> Data {
        guard let secret = try await repository.find(id: id, accountId: accountId) else { throw FiscalMixError.notFound("Secret") }
        return try await open(secret)
    }

    /// Opens a secret already read.
    public func open(_ secret: SealedSecret) async throws -> Data {
        try await envelopes.open(
            secret.envelope,
            for: Self.context(
                secret.id, ownerTable: secret.ownerTable, ownerId: secret.ownerId,
                accountId: secret.accountId))
    }
}
