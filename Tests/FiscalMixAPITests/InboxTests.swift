import Crypto
import FiscalMixApp
import FiscalMixCore
import FiscalMixOutbound
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixBlobs
@testable import FiscalMixDatabase

/// The inbound inbox: each provider's signature scheme, replays refused, duplicates answered
/// and not processed twice (also under 50 concurrent posts), accepted messages turned into
/// integration events by a job.
@Suite struct InboxTests {
    static func hmacHex(_ secret: String, _ content: [UInt8]) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: Data(secret.utf8))))
    }

    func provider(_ server: TestServer, _ auth: TestServer.Auth, _ body: [String: Any]) async throws -> String {
        let response = try await server.request(.post, "/v1/inbox-providers", json: body, auth: auth)
        guard response.status == 201, let path = response.json["inboxPath"] as? String else {
            throw TestFailure("provider creation failed: \(response.status) \(response.text)")
        }
        #expect(response.json["hasSecret"] as? Bool == true && !response.text.contains(body["secret"] as! String))
        return path
    }

    func post(_ server: TestServer, _ path: String, _ body: String, headers: [String: String]) async throws -> TestResponse {
        try await server.request(.post, path, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a }, rawBytes: Data(body.utf8))
    }

    @Test func eachSchemeVerifiesAndRefusesForgeriesAndReplays() async throws {
        try await TestServer.run(workers: true) { server in
            let (owner, auth) = try await server.ownerApiKey()
            let now = Int(server.clock.now().timeIntervalSince1970)

            // GitHub-style: sha256=<hex> of the body; the id in X-GitHub-Delivery.
            let github = try await provider(
                server, auth,
                [
                    "name": "github", "verifier": "hmac_sha256", "secret": "gh-secret-123",
                    "eventIdHeader": "X-GitHub-Delivery",
                ])
            let push = #"{"ref":"refs/heads/main","commits":2}"#
            let signed = ["X-Hub-Signature-256": "sha256=" + Self.hmacHex("gh-secret-123", Array(push.utf8)), "X-GitHub-Delivery": "d-1"]
            #expect(try await post(server, github, push, headers: signed).status == 202)
            let again = try await post(server, github, push, headers: signed)
            #expect(again.status == 200 && again.json["status"] as? String == "duplicate")
            #expect(try await post(server, github, push + " ", headers: signed).status == 401)  // tampered body
            var wrong = signed
            wrong["X-Hub-Signature-256"] = "sha256=" + Self.hmacHex("not-the-secret", Array(push.utf8))
            wrong["X-GitHub-Delivery"] = "d-2"
            let forged = try await post(server, github, push, headers: wrong)
            #expect(forged.status == 401 && forged.code == "signature_invalid")
            #expect(try await post(server, github, push, headers: ["X-GitHub-Delivery": "d-3"]).status == 401)  // unsigned

            // Stripe-style: t=…,v1=<hex of "t.body">; the id in the body's /id; 5-minute tolerance.
            let stripe = try await provider(
                server, auth,
                [
                    "name": "stripe", "verifier": "timestamped_hmac", "secret": "whsec_stripe_test_1",
                    "eventType": "payment.received",
                ])
            try await server.createEventType(auth, "payment.received")
            let charge = #"{"id":"evt_1","type":"charge.succeeded","data":{"amount":1999}}"#
            func stripeHeader(_ t: Int, _ body: String, secret: String = "whsec_stripe_test_1") -> [String: String] {
                ["Stripe-Signature": "t=\(t),v1=" + Self.hmacHex(secret, Array("\(t).\(body)".utf8))]
            }
            #expect(try await post(server, stripe, charge, headers: stripeHeader(now, charge)).status == 202)
            let old = #"{"id":"evt_2","type":"charge.succeeded"}"#
            let stale = try await post(server, stripe, old, headers: stripeHeader(now - 301, old))
            #expect(stale.status == 401 && stale.text.contains("tolerance"))
            #expect(try await post(server, stripe, old, headers: stripeHeader(now, old, secret: "whsec_other")).status == 401)

            // Standard Webhooks: the id is webhook-id.
            let secret = WebhookSignature.newSecret()
            let standard = try await provider(server, auth, ["name": "partner", "verifier": "standard_webhooks", "secret": secret])
            let note = #"{"hello":"world"}"#
            let signature = try WebhookSignature.header(
                id: "msg_1", timestamp: Int64(now), body: Array(note.utf8), keys: [try WebhookSignature.key(secret)])
            let swHeaders = ["webhook-id": "msg_1", "webhook-timestamp": String(now), "webhook-signature": signature]
            #expect(try await post(server, standard, note, headers: swHeaders).status == 202)
            var replayed = swHeaders
            replayed["webhook-timestamp"] = String(now - 600)
            #expect(try await post(server, standard, note, headers: replayed).status == 401)

            // Nothing refused was stored; the three accepted ones become events once processed.
            let rows = try await server.runtime.database.query(
                "SELECT provider, event_id FROM webhook_inbox WHERE account_id = \(bind: owner.accountId)")
            let stored = Set(
                try rows.map { "\(try $0.decode(column: "provider", as: String.self))/\(try $0.decode(column: "event_id", as: String.self))" })
            #expect(stored == ["github/d-1", "stripe/evt_1", "partner/msg_1"])
            for _ in 0..<100 {
                let messages = try await server.request(.get, "/v1/inbox-messages", auth: auth).items
                if messages.count == 3, messages.allSatisfy({ $0["status"] as? String == "processed" }) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let events = try await server.request(.get, "/v1/events", auth: auth).items
            #expect(events.count == 3)
            let payment = try #require(events.first { $0["eventType"] as? String == "payment.received" })
            let body = (payment["payload"] as? [String: Any])?["body"] as? [String: Any]
            #expect(((body?["data"] as? [String: Any])?["amount"] as? Int) == 1999)
            #expect(payment["sourceSystem"] as? String == "inbox.stripe")

            // Another account cannot read them; an unknown inbox is 404.
            let (_, intruder) = try await server.ownerApiKey()
            #expect(try await server.request(.get, "/v1/inbox-messages", auth: intruder).items.isEmpty)
            #expect(try await post(server, "/v1/inbox/\(UUID().uuidString)", note, headers: swHeaders).status == 404)
        }
    }

    /// With `FISCALMIX_BLOB_STORE=s3` the raw bodies go to the bucket (a local moto server).
    @Test func rawBodiesLandInAnS3Bucket() async throws {
        try await MotoServer.run { moto in
            let settings = S3BlobStore.Configuration(
                endpoint: moto.endpoint, bucket: "inbox-test", region: "us-east-1",
                credentials: .init(accessKeyId: MotoServer.accessKeyId, secretAccessKey: MotoServer.secretAccessKey), pathStyle: true, prefix: "fm/")
            try await rawBodiesLand(in: { S3BlobStore(settings, client: $0) }, configure: { $0.s3 = settings }) { try await $0.createBucket() }
        }
    }

    /// With `FISCALMIX_BLOB_STORE=azure` they go to the container (the local Azure peer).
    @Test func rawBodiesLandInAnAzureContainer() async throws {
        try await AzureBlobPeer.run { peer in
            let settings = AzureBlobStore.Configuration(
                endpoint: peer.endpoint, container: "inbox",
                authorization: .sharedKey(
                    AzureSharedKey(
                        account: AzureBlobPeer.account,
                        keyBase64: AzureBlobPeer.keyBase64)!))
            try await rawBodiesLand(in: { AzureBlobStore(settings, client: $0) }, configure: { $0.azure = settings }) {
                try await $0.createContainer()
            }
        }
    }

    /// A server configured with `configure` stores an accepted message's body where `makeStore`
    /// reads it (after `prepare` made the bucket or container).
    func rawBodiesLand<Store: BlobStore>(
        in makeStore: (OutboundClient) -> Store, configure: @escaping @Sendable (inout AppConfiguration) -> Void,
        prepare: (Store) async throws -> Void
    ) async throws {
        let client = OutboundClient(configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.1"])))
        let store = makeStore(client)
        let list: @Sendable () async throws -> [String] = {
            if let s3 = store as? S3BlobStore { return try await s3.list(prefix: "inbox/") }
            return try await (store as! AzureBlobStore).list(prefix: "inbox/")
        }
        do {
            try await prepare(store)
            try await TestServer.run(workers: true, configure: configure) { server in
                let (_, auth) = try await server.ownerApiKey()
                let path = try await provider(server, auth, ["name": "github", "verifier": "hmac_sha256", "secret": "gh-secret-789"])
                let body = #"{"id":"delivery-remote","action":"closed"}"#
                let headers = ["X-Hub-Signature-256": "sha256=" + Self.hmacHex("gh-secret-789", Array(body.utf8))]
                #expect(try await post(server, path, body, headers: headers).status == 202)
                let keys = try await list()
                #expect(keys.count == 1)
                #expect(try await store.get(try #require(keys.first)) == Array(body.utf8))
                let message = try #require(try await server.request(.get, "/v1/inbox-messages?provider=github", auth: auth).items.first)
                #expect(message["eventId"] as? String == "delivery-remote")
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func fiftyConcurrentDuplicatesAreProcessedOnce() async throws {
        try await TestServer.run(workers: true) { server in
            let (owner, auth) = try await server.ownerApiKey()
            let path = try await provider(server, auth, ["name": "github", "verifier": "hmac_sha256", "secret": "gh-secret-456"])
            let body = #"{"id":"delivery-42","action":"opened"}"#
            let headers = ["X-Hub-Signature-256": "sha256=" + Self.hmacHex("gh-secret-456", Array(body.utf8))]
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await post(server, path, body, headers: headers).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 1 && statuses.filter { $0 == 200 }.count == 49, "\(statuses)")
            var processed = 0
            for _ in 0..<100 {
                processed = try await server.request(.get, "/v1/inbox-messages?provider=github", auth: auth).items
                    .filter { $0["status"] as? String == "processed" }.count
                if processed == 1 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(processed == 1)
            let events = try await server.runtime.database.query(
                """
                SELECT COUNT(*) AS n FROM integration_events WHERE account_id = \(bind: owner.accountId) AND event_type = 'inbox.message.received'
                """)
            #expect(try events[0].decode(column: "n", as: Int.self) == 1)
            let jobs = try await server.runtime.database.query(
                """
                SELECT COUNT(*) AS n FROM jobs WHERE account_id = \(bind: owner.accountId) AND type = 'inbox.process'
                """)
            #expect(try jobs[0].decode(column: "n", as: Int.self) == 1)
        }
    }
}
