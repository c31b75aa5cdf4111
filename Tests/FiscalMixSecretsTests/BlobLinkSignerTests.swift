import FiscalMixCore
import FiscalMixSecrets
import Foundation
import Testing

@Suite struct BlobLinkSignerTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var link: BlobLink {
        BlobLink(
            key: "nfe/2026/11/a.xml", expiresAt: now.addingTimeInterval(300), filename: "a.xml", contentType: "application/xml",
            sha256: String(repeating: "ab", count: 32))
    }

    @Test func aSignedLinkReadsBackUntilItExpires() throws {
        let signer = BlobLinkSigner(masterKey: MasterKey.generate().key)
        let token = try signer.token(for: link)
        #expect(try signer.link(from: token, now: now) == link)
        #expect(try signer.link(from: token, now: now.addingTimeInterval(299)) == link)
        #expect(throws: BlobLinkSigner.Refusal.expired) { try signer.link(from: token, now: now.addingTimeInterval(300)) }
    }

    @Test func anyChangeOrAnotherKeyIsRefused() throws {
        let signer = BlobLinkSigner(masterKey: MasterKey.generate().key)
        let token = try signer.token(for: link)
        // Every single-character change, in the payload or the signature.
        var refused = 0
        let characters = Array(token)
        for index in characters.indices where characters[index] != "." {
            var changed = characters
            changed[index] = changed[index] == "A" ? "B" : "A"
            if (try? signer.link(from: String(changed), now: now)) == nil { refused += 1 }
        }
        #expect(refused == characters.count - 1)
        // A longer lifetime or another key, re-encoded by hand, does not verify.
        var forged = link
        forged.expiresAt = now.addingTimeInterval(86_400 * 365)
        let forgedPayload = try BlobLinkSigner(masterKey: MasterKey.generate().key).token(for: forged).split(separator: ".")[0]
        let original = token.split(separator: ".")[1]
        #expect(throws: BlobLinkSigner.Refusal.invalid) { try signer.link(from: "\(forgedPayload).\(original)", now: now) }
        #expect(throws: BlobLinkSigner.Refusal.invalid) { try BlobLinkSigner(masterKey: MasterKey.generate().key).link(from: token, now: now) }
        for junk in ["", ".", "a.b", "a.b.c", String(repeating: "A", count: 5000)] {
            #expect(throws: BlobLinkSigner.Refusal.invalid) { try signer.link(from: junk, now: now) }
        }
    }
}
