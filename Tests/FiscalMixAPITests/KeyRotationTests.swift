import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixIdentity
@testable import FiscalMixVault

/// `fiscalmix keys rotate` killed half-way and run again: every secret ends up wrapped by the
/// new key and opens with it alone; nothing was re-encrypted or lost.
@Suite struct KeyRotationTests {
    @Test
    func aRotationKilledHalfWayResumesAndEverySecretOpensUnderTheNewKey() async throws {
        let test = try await TestDatabase.make()
        let configuration = try testConfiguration(database: test)
        let oldKeyText = try #require(configuration.masterKeyBase64)
        let (newKey, newKeyText) = MasterKey.generate()
        let runtime = try await FiscalMixRuntime.start(configuration, logger: Logger(label: "rotation-test"))
        var stored: [(UUID, String)] = []
        for i in 0..<60 {
            let plaintext = "connector-token-\(i)-\(UUID().uuidString)"
            stored.append(
                (
                    try await runtime.vault.store(Data(plaintext.utf8), ownerTable: "connectors", ownerId: "c-\(i)", accountId: nil),
                    plaintext
                ))
        }
        // Connector access tokens (OAuth) are envelopes too and rotate with the rest.
        let accountId = ID.make()
        let now = Date()
        try await runtime.database.execute(
            """
            INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: accountId), 'Rotation', \(bind: now), \(bind: now))
            """)
        var tokens: [(UUID, String)] = []
        for i in 0..<3 {
            let connectorId = ID.make()
            try await runtime.database.execute(
                """
                INSERT INTO connectors (id, account_id, type, name, base_url, created_at, updated_at)
                VALUES (\(bind: connectorId), \(bind: accountId), 'rest', \(bind: "api-\(i)"), 'https://api.example.com', \(bind: now), \(bind: now))
                """)
            let token = "access-token-\(i)-\(UUID().uuidString)"
            try await runtime.vault.storeConnectorToken(
                token, connectorId: connectorId, secretRefId: nil, accountId: accountId,
                expiresAt: now.addingTimeInterval(3600))
            tokens.append((connectorId, token))
        }
        // A TOTP secret sealed the old way (directly under the old master key) moves into the vault.
        let userId = ID.make()
        let totpSecret = Array("12345678901234567890".utf8)
        let legacy = try SecretBox(masterKey: try MasterKey(base64: oldKeyText)).seal(totpSecret, aad: "users.mfa_secret:\(userId.lowercased)")
        try await runtime.database.execute(
            """
            INSERT INTO users (id, account_id, name, email, password_hash, role, status, is_staff, mfa_enabled, mfa_secret, created_at, updated_at)
            VALUES (\(bind: userId), \(bind: accountId), 'Ana', 'ana@rotation.test', 'x', 'owner', 'active', \(bind: false), \(bind: true),
                    \(bind: legacy), \(bind: now), \(bind: now))
            """)
        let storedTokens = ConnectorTokenRepository(database: runtime.database)
        let secrets = SealedSecretRepository(database: runtime.database)
        let ciphertextsBefore = Set(try await secrets.wrappedByOtherKeys(than: newKey.keyId, limit: 100).map(\.envelope.encCiphertext))
        let rotate = ["FISCALMIX_MASTER_KEY": newKeyText, "FISCALMIX_PREVIOUS_MASTER_KEYS": oldKeyText]

        // Slowly, then killed while part-way.
        let first = try WorkerProcess.launch(
            configuration, arguments: ["keys", "rotate", "--batch-size", "5", "--pause-ms", "150"],
            environment: rotate, output: FileHandle.nullDevice)
        var done = 0
        for _ in 0..<400 where done < 10 {
            try await Task.sleep(for: .milliseconds(25))
            done = try await secrets.count(wrappedBy: newKey.keyId)
        }
        kill(first.processIdentifier, SIGKILL)
        await WorkerProcess.exit(of: first)
        let halfWay = try await secrets.count(wrappedBy: newKey.keyId)
        #expect(halfWay >= 10 && halfWay < 61, "killed part-way (\(halfWay) of 61 re-wrapped)")

        // Run again to the end.
        let second = try WorkerProcess.launch(configuration, arguments: ["keys", "rotate"], environment: rotate, output: FileHandle.nullDevice)
        await WorkerProcess.exit(of: second)
        #expect(second.terminationStatus == 0)
        // The 60 secrets and the TOTP secret that moved into the vault.
        #expect(try await secrets.count(wrappedBy: newKey.keyId) == 61)
        let after = try await secrets.wrappedByOtherKeys(than: "none", limit: 100).filter { $0.ownerTable != "users" }
        #expect(Set(after.map(\.envelope.encCiphertext)) == ciphertextsBefore, "only the wrapped data keys changed")
        #expect(try await storedTokens.count(wrappedByOtherKeysThan: newKey.keyId) == 0)

        // The new key alone opens every secret; the old key alone opens none.
        var onlyNew = configuration
        onlyNew.masterKeyBase64 = newKeyText
        let newRuntime = try await FiscalMixRuntime.start(onlyNew, logger: Logger(label: "rotation-test"))
        for (id, plaintext) in stored {
            #expect(String(decoding: try await newRuntime.vault.reveal(id, accountId: nil), as: UTF8.self) == plaintext)
        }
        for (connectorId, token) in tokens {
            #expect(try await newRuntime.vault.connectorToken(connectorId: connectorId, secretRefId: nil, accountId: accountId)?.token == token)
        }
        let mfaRow = try await newRuntime.database.first("SELECT mfa_secret FROM users WHERE id = \(bind: userId)")
        let mfaReference = try #require(try mfaRow?.decode(column: "mfa_secret", as: String?.self))
        #expect(UUID(uuidString: mfaReference) != nil, "the v1. secret moved into the vault")
        #expect(Array(try await newRuntime.services.auth.mfaSecrets.open(mfaReference, userId: userId, accountId: accountId)) == totpSecret)
        await #expect(throws: KeyProviderError.self) { try await runtime.vault.reveal(stored[0].0, accountId: nil) }
        await #expect(throws: KeyProviderError.self) {
            try await runtime.vault.connectorToken(connectorId: tokens[0].0, secretRefId: nil, accountId: accountId)
        }
        try await newRuntime.database.shutdown()
        try await runtime.database.shutdown()
        await test.remove()
    }
}
