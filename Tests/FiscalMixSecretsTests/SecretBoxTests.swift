import FiscalMixSecrets
import Foundation
import Testing

@Suite struct SecretBoxTests {
    let key = try! MasterKey(base64: Data((1...32).map { UInt8($0) }).base64EncodedString())

    @Test func roundTripsAndHidesThePlaintext() throws {
        let box = SecretBox(masterKey: key)
        let sealed = try box.seal(Array("JBSWY3DPEHPK3PXP".utf8), aad: "users.mfa_secret:1")
        #expect(sealed.hasPrefix("v1."))
        #expect(!sealed.contains("JBSWY3DPEHPK3PXP"))
        #expect(try box.open(sealed, aad: "users.mfa_secret:1") == Data("JBSWY3DPEHPK3PXP".utf8))
    }

    @Test func sealingTwiceGivesDifferentCiphertexts() throws {
        let box = SecretBox(masterKey: key)
        #expect(try box.seal(Data("x".utf8), aad: "a") != box.seal(Data("x".utf8), aad: "a"))
    }

    @Test func aCiphertextMovedToAnotherRowDoesNotOpen() throws {
        let box = SecretBox(masterKey: key)
        let sealed = try box.seal(Data("secret".utf8), aad: "users.mfa_secret:1")
        #expect(throws: SecretBoxError.self) { try box.open(sealed, aad: "users.mfa_secret:2") }
    }

    @Test func aWrongMasterKeyOrTamperingFailsClosed() throws {
        let sealed = try SecretBox(masterKey: key).seal(Data("secret".utf8), aad: "a")
        let (other, _) = MasterKey.generate()
        #expect(throws: SecretBoxError.self) { try SecretBox(masterKey: other).open(sealed, aad: "a") }
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(3)))!)
        bytes[bytes.count / 2] ^= 1
        let tampered = "v1." + Data(bytes).base64EncodedString()
        #expect(throws: SecretBoxError.self) { try SecretBox(masterKey: key).open(tampered, aad: "a") }
    }

    @Test func masterKeyMustBeBase64OfExactly32Bytes() {
        #expect(throws: MasterKey.ParseError.notBase64) { try MasterKey(base64: "not base64!") }
        #expect(throws: MasterKey.ParseError.wrongLength(16)) { try MasterKey(base64: Data(count: 16).base64EncodedString()) }
        #expect(throws: MasterKey.ParseError.wrongLength(33)) { try MasterKey(base64: Data(count: 33).base64EncodedString()) }
        #expect(throws: Never.self) { try MasterKey(base64: Data(count: 32).base64EncodedString()) }
    }

    @Test func constantTimeEqualsComparesContent() {
        #expect(constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test func passwordHashesUseCostAtLeast12() async throws {
        let hasher = PasswordHasher(cost: 4)
        #expect(hasher.cost == 12)
        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$12$") || hash.hasPrefix("$2a$12$") || hash.hasPrefix("$2y$12$"))
        #expect(try await hasher.verify("correct horse battery", hash: hash))
        #expect(try await !hasher.verify("correct horse batterY", hash: hash))
    }
}
