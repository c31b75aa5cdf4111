import Crypto
import FiscalMixCore
import FiscalMixSecrets
import Foundation
import Testing

@Suite struct EnvelopeTests {
    let oldKey = MasterKey.generate().key
    let newKey = MasterKey.generate().key
    let account = UUID()
    var context: SealContext { SealContext(table: "connectors", rowId: "c-1", accountId: account) }

    @Test func sealsEachSecretUnderItsOwnDataKeyAndOpensIt() async throws {
        let service = EnvelopeService(keys: LocalKeyProvider(current: oldKey))
        let a = try await service.seal(Data("token-123".utf8), for: context)
        let b = try await service.seal(Data("token-123".utf8), for: context)
        #expect(a.encVersion == 1 && a.encAlg == "AES-256-GCM" && a.kekId == oldKey.keyId)
        #expect(a.wrappedDEK != b.wrappedDEK && a.encCiphertext != b.encCiphertext && a.encNonce != b.encNonce)
        #expect(String(decoding: try await service.open(a, for: context), as: UTF8.self) == "token-123")
        #expect(!a.encCiphertext.contains("token") && Data(base64Encoded: a.encCiphertext) != nil)
    }

    @Test func aCiphertextMovedToAnotherRowTableOrAccountFailsToOpen() async throws {
        let service = EnvelopeService(keys: LocalKeyProvider(current: oldKey))
        let sealed = try await service.seal(Data("secret".utf8), for: context)
        for elsewhere in [
            SealContext(table: "connectors", rowId: "c-2", accountId: account),
            SealContext(table: "webhook_endpoints", rowId: "c-1", accountId: account),
            SealContext(table: "connectors", rowId: "c-1", accountId: UUID()),
        ] {
            await #expect(throws: EnvelopeError.authenticationFailed(table: elsewhere.table, rowId: elsewhere.rowId)) {
                try await service.open(sealed, for: elsewhere)
            }
        }
        var tampered = sealed
        var bytes = Data(base64Encoded: tampered.encCiphertext)!
        bytes[0] ^= 1
        tampered.encCiphertext = bytes.base64EncodedString()
        await #expect(throws: EnvelopeError.self) { try await service.open(tampered, for: context) }
    }

    @Test func rewrappingChangesOnlyTheWrappedKeyAndTheNewKeyOpensIt() async throws {
        let before = EnvelopeService(keys: LocalKeyProvider(current: oldKey))
        let sealed = try await before.seal(Data("client-secret".utf8), for: context)
        let during = EnvelopeService(keys: LocalKeyProvider(current: newKey, previous: [oldKey]))
        let rewrapped = try await during.rewrap(sealed)
        #expect(rewrapped.kekId == newKey.keyId && rewrapped.wrappedDEK != sealed.wrappedDEK)
        #expect(rewrapped.encCiphertext == sealed.encCiphertext && rewrapped.encNonce == sealed.encNonce)
        let after = EnvelopeService(keys: LocalKeyProvider(current: newKey))
        #expect(String(decoding: try await after.open(rewrapped, for: context), as: UTF8.self) == "client-secret")
        // Without the old key the old envelope cannot be read, and the error names the key, not the secret.
        await #expect(throws: KeyProviderError.unknownKey(oldKey.keyId)) { try await after.open(sealed, for: context) }
        // A wrong key under the same id is refused.
        let impostor = EnvelopeService(keys: LocalKeyProvider(current: newKey))
        var forged = sealed
        forged.kekId = newKey.keyId
        await #expect(throws: KeyProviderError.unwrapFailed(keyId: newKey.keyId)) { try await impostor.open(forged, for: context) }
    }
}
