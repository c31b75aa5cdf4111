import FiscalMixApp
import FiscalMixCore
import FiscalMixSecrets
import FiscalMixStorage
import FiscalMixTestSupport
import FiscalMixVault
import Foundation
import Logging
import SQLKit
import Testing

/// `fiscalmix keys rotate` killed half-way and run again: every secret ends up wrapped by the
/// new key and opens with it alone; nothing was re-encrypted or lost.
@Suite struct KeyRotationTests {
    @Test(.enabled(if: WorkerProcess.available, "needs the fiscalmix binary"))
    func aRotationKilledHalfWayResumesAndEverySecretOpensUnderTheNewKey() async throws {
        let test = try await TestDatabase.make()
        let configuration = try testConfiguration(database: test)
        let oldKeyText = try #require(configuration.masterKeyBase64)
        let (newKey, newKeyText) = MasterKey.generate()
        let runtime = try await FiscalMixRuntime.start(configuration, logger: Logger(label: "rotation-test"))
        var stored: [(UUID, String)] = []
        for i in 0..<60 {
            let plaintext = "connector-token-\(i)-\(UUID().uuidString)"
            stored.append((try await runtime.vault.store(Data(plaintext.utf8), ownerTable: "connectors", ownerId: "c-\(i)", accountId: nil),
                           plaintext))
        }
        // Connector access tokens (OAuth) are envelopes too and rotate with the rest.
        let accountId = ID.make()
        let now = Date()
        try await runtime.database.execute("""
            INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: accountId), 'Rotation', \(bind: now), \(bind: now))
            """)
        var tokens: [(UUID, String)] = []
        for i in 0..<3 {
            let connectorId = ID.make()
            try await runtime.database.execute("""
                INSERT INTO connectors (id, account_id, type, name, base_url, created_at, updated_at)
                VALUES (\(bind: connectorId), \(bind: accountId), 'rest', \(bind: "api-\(i)"), 'https://api.example.com', \(bind: now), \(bind: now))
                """)
            let token = "access-token-\(i)-\(UUID().uuidString)"
            try await runtime.vault.storeConnectorToken(token, connectorId: connectorId, secretRefId: nil, accountId: accountId,
                                                        expiresAt: now.addingTimeInterval(3600))
            tokens.append((connectorId, token))
        }
        let storedTokens = ConnectorTokenRepository(database: runtime.database)
        let secrets = SealedSecretRepository(database: runtime.database)
        let ciphertextsBefore = Set(try await secrets.wrappedByOtherKeys(than: newKey.keyId, limit: 100).map(\.envelope.encCiphertext))
        let rotate = ["FISCALMIX_MASTER_KEY": newKeyText, "FISCALMIX_PREVIOUS_MASTER_KEYS": oldKeyText]

        // Slowly, then killed while part-way.
        let first = try WorkerProcess.launch(configuration, arguments: ["keys", "rotate", "--batch-size", "5", "--pause-ms", "150"],
                                             environment: rotate, output: FileHandle.nullDevice)
        var done = 0
        for _ in 0..<400 where done < 10 {
            try await Task.sleep(for: .milliseconds(25))
            done = try await secrets.count(wrappedBy: newKey.keyId)
        }
        kill(first.processIdentifier, SIGKILL)
        await WorkerProcess.exit(of: first)
        let halfWay = try await secrets.count(wrappedBy: newKey.keyId)
        #expect(halfWay >= 10 && halfWay < 60, "killed part-way (\(halfWay) of 60 re-wrapped)")

        // Run again to the end.
        let second = try WorkerProcess.launch(configuration, arguments: ["keys", "rotate"], environment: rotate, output: FileHandle.nullDevice)
        await WorkerProcess.exit(of: second)
        #expect(second.terminationStatus == 0)
        #expect(try await secrets.count(wrappedBy: newKey.keyId) == 60)
        let after = try await secrets.wrappedByOtherKeys(than: "none", limit: 100)
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
        await #expect(throws: KeyProviderError.self) { try await runtime.vault.reveal(stored[0].0, accountId: nil) }
        await #expect(throws: KeyProviderError.self) {
            try await runtime.vault.connectorToken(connectorId: tokens[0].0, secretRefId: nil, accountId: accountId)
        }
        try await newRuntime.database.shutdown()
        try await runtime.database.shutdown()
        await test.remove()
    }
}
