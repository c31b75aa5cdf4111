import Crypto
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import Testing

/// Standard Webhooks signatures against the vectors in StandardWebhooksVectors/ (upstream's
/// reference libraries' fixed vectors and computed edge cases, MIT; see its README), and the verifier's
/// refusals.
@Suite struct WebhookSignatureTests {
    static var vectorsDirectory: URL { Bundle.module.resourceURL!.appendingPathComponent("StandardWebhooksVectors") }

    struct Vector: Decodable {
        let secret: String
        let msg_id: String
        let timestamp: Int64
        let payload: String
        let signature: String
    }

    @Test func signsAndVerifiesEveryConformanceVector() throws {
        var vectors: [Vector] = []
        for file in ["vectors.json", "vectors-computed.json"] {
            vectors += try JSONDecoder().decode([Vector].self, from: Data(contentsOf: Self.vectorsDirectory.appendingPathComponent(file)))
        }
        var passed = 0
        for vector in vectors {
            let key = try WebhookSignature.key(vector.secret)
            let body = Array(vector.payload.utf8)
            let signed = try WebhookSignature.sign(id: vector.msg_id, timestamp: vector.timestamp, body: body, key: key)
            #expect(signed == vector.signature, "\(vector.msg_id)")
            let now = Date(timeIntervalSince1970: Double(vector.timestamp))
            #expect(throws: Never.self) {
                try WebhookSignature.verify(
                    id: vector.msg_id, timestamp: String(vector.timestamp), signatureHeader: vector.signature,
                    body: body, key: key, now: now)
            }
            if signed == vector.signature { passed += 1 }
        }
        print("Standard Webhooks conformance: \(passed)/\(vectors.count) vectors")
        #expect(vectors.count == 7 && passed == vectors.count)
    }

    @Test func refusesTamperingReplaysAndForeignSecrets() throws {
        let key = try WebhookSignature.key(WebhookSignature.newSecret())
        let body = Array(#"{"type":"fiscal_document.received","amount":"1234.56"}"#.utf8)
        let timestamp: Int64 = 1_790_000_000
        let now = Date(timeIntervalSince1970: Double(timestamp))
        let header = try WebhookSignature.sign(id: "msg_1", timestamp: timestamp, body: body, key: key)
        func verify(
            _ id: String? = "msg_1", _ ts: String? = String(timestamp), _ header: String? = header, body: [UInt8] = body,
            key: WebhookSignature.Key = key, now: Date = now
        ) throws(WebhookSignature.Failure) {
            try WebhookSignature.verify(id: id, timestamp: ts, signatureHeader: header, body: body, key: key, now: now)
        }
        #expect(throws: Never.self) { try verify() }
        #expect(throws: WebhookSignature.Failure.noMatchingSignature) { try verify(body: body + [0x20]) }
        #expect(throws: WebhookSignature.Failure.noMatchingSignature) { try verify("msg_2") }
        #expect(throws: WebhookSignature.Failure.noMatchingSignature) { try verify(key: try WebhookSignature.key(WebhookSignature.newSecret())) }
        #expect(throws: WebhookSignature.Failure.timestampOutOfTolerance) { try verify(now: now.addingTimeInterval(301)) }
        #expect(throws: WebhookSignature.Failure.timestampOutOfTolerance) { try verify(now: now.addingTimeInterval(-301)) }
        #expect(throws: WebhookSignature.Failure.missingHeaders) { try verify(nil) }
        #expect(throws: WebhookSignature.Failure.missingHeaders) { try verify("msg_1", String(timestamp), nil) }
    }

    /// During a rotation both signatures are sent; a receiver with either secret accepts.
    @Test func aRotationHeaderCarriesBothSignatures() throws {
        let old = try WebhookSignature.key(WebhookSignature.newSecret(byteCount: 24))
        let new = try WebhookSignature.key(WebhookSignature.newSecret(byteCount: 64))
        let body = Array("{}".utf8)
        let header = try WebhookSignature.header(id: "msg_r", timestamp: 1_790_000_000, body: body, keys: [new, old])
        #expect(header.split(separator: " ").count == 2 && header.split(separator: " ").allSatisfy { $0.hasPrefix("v1,") })
        for key in [old, new] {
            #expect(throws: Never.self) {
                try WebhookSignature.verify(
                    id: "msg_r", timestamp: "1790000000", signatureHeader: header, body: body, key: key,
                    now: Date(timeIntervalSince1970: 1_790_000_000))
            }
        }
        #expect(WebhookSignature.newSecret().hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(WebhookSignature.newSecret(byteCount: 48).dropFirst(6)))?.count == 48)
    }

    /// v1a: Ed25519, verified with the public key alone; a v1 signature does not satisfy a v1a key.
    @Test func asymmetricSignaturesVerifyWithThePublicKey() throws {
        let pair = WebhookSignature.newSigningKeyPair()
        #expect(pair.secret.hasPrefix("whsk_") && pair.publicKey.hasPrefix("whpk_"))
        let body = Array(#"{"n":1}"#.utf8)
        let header = try WebhookSignature.sign(id: "msg_a", timestamp: 1_790_000_000, body: body, key: try WebhookSignature.key(pair.secret))
        #expect(header.hasPrefix("v1a,"))
        let publicKey = try WebhookSignature.key(pair.publicKey)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(throws: Never.self) {
            try WebhookSignature.verify(id: "msg_a", timestamp: "1790000000", signatureHeader: header, body: body, key: publicKey, now: now)
        }
        #expect(throws: WebhookSignature.Failure.noMatchingSignature) {
            try WebhookSignature.verify(id: "msg_a", timestamp: "1790000000", signatureHeader: header, body: body + [1], key: publicKey, now: now)
        }
        let hmacHeader = try WebhookSignature.sign(
            id: "msg_a", timestamp: 1_790_000_000, body: body, key: try WebhookSignature.key(WebhookSignature.newSecret()))
        #expect(throws: WebhookSignature.Failure.noMatchingSignature) {
            try WebhookSignature.verify(id: "msg_a", timestamp: "1790000000", signatureHeader: hmacHeader, body: body, key: publicKey, now: now)
        }
        #expect(throws: WebhookSignature.InvalidKey.self) { _ = try WebhookSignature.key("whpk_AAAA") }
    }
}
