import FiscalMixApp
import FiscalMixCore
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixVault

/// The vault as the slices use it: a secret sealed for its owner row, stored in the owner's
/// transaction, opened only by its account, and bound to its row.
@Suite struct SecretVaultTests {
    let logger = Logger(label: "vault-test")

    func withVault(_ body: (Database, SecretVault, _ account: UUID) async throws -> Void) async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: logger) { database in
            let vault = SecretVault(database: database, envelopes: EnvelopeService(keys: LocalKeyProvider(current: MasterKey.generate().key)))
            let account = ID.make()
            let now = Date()
            try await database.execute(
                """
                INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: account), \(bind: "Vault \(account)"), \(bind: now), \(bind: now))
                """)
            try await body(database, vault, account)
        }
    }

    @Test func aSecretStoredInTheOwnersTransactionOpensForItsAccountOnly() async throws {
        try await withVault { database, vault, account in
            let sealed = try await vault.seal(Data("s3cr3t-token".utf8), ownerTable: "connectors", ownerId: "c-1", accountId: account)
            try await database.transaction { tx in try await vault.insert(sealed, in: tx) }
            #expect(String(decoding: try await vault.reveal(sealed.id, accountId: account), as: UTF8.self) == "s3cr3t-token")
            await #expect(throws: FiscalMixError.self) { try await vault.reveal(sealed.id, accountId: ID.make()) }
            let stored = try await database.first("SELECT * FROM sealed_secrets WHERE id = \(bind: sealed.id)")
            let ciphertext: String = try #require(stored).decode(column: "enc_ciphertext", as: String.self)
            #expect(!ciphertext.contains("s3cr3t"))
        }
    }

    @Test func aRolledBackOwnerLeavesNoSecretBehind() async throws {
        try await withVault { database, vault, account in
            let sealed = try await vault.seal(Data("x".utf8), ownerTable: "connectors", ownerId: "c-2", accountId: account)
            struct OwnerFailed: Error {}
            await #expect(throws: OwnerFailed.self) {
                try await database.transaction { tx in
                    try await vault.insert(sealed, in: tx)
                    throw OwnerFailed()
                }
            }
            #expect(try await vault.find(id: sealed.id, accountId: account) == nil)
        }
    }

    /// A secret moved to another owner row (its row rewritten in the database) no longer opens.
    @Test func aSecretIsBoundToItsOwnerRow() async throws {
        try await withVault { database, vault, account in
            let id = try await vault.store(Data("bound".utf8), ownerTable: "webhook_endpoints", ownerId: "e-1", accountId: account)
            try await database.execute("UPDATE sealed_secrets SET owner_id = 'e-2' WHERE id = \(bind: id)")
            await #expect(throws: (any Error).self) { try await vault.reveal(id, accountId: account) }
        }
    }

    @Test func referencesAreScopedToTheirAccountAndGoWithTheirOwner() async throws {
        try await withVault { database, vault, account in
            let ref = SecretRef(id: ID.make(), accountId: account, provider: .db, ref: ID.make().lowercased, version: 1)
            try await database.transaction { tx in try await vault.insertRef(ref, in: tx) }
            #expect(try await vault.ref(id: ref.id, accountId: account)?.ref == ref.ref)
            #expect(try await vault.ref(id: ref.id, accountId: ID.make()) == nil)
            try await database.transaction { tx in try await vault.deleteRef(id: ref.id, in: tx) }
            #expect(try await vault.ref(id: ref.id, accountId: account) == nil)
        }
    }
}
