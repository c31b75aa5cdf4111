import FiscalMixApp
import FiscalMixCore
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Synchronization
import Testing

@testable import FiscalMixDatabase

/// Outbound webhooks end to end: events in through the API, signed deliveries out to a local
/// receiver, checked by independent verifiers; retries on the schedule under the test clock;
/// dead letters, replays, 410, the five-day rule, rotation.
@Suite struct WebhookDeliveryTests {
    static func allowLoopback(_ c: inout AppConfiguration) { c.outboundAllow = ["127.0.0.1"] }

    @Test func signedDeliveriesVerifyWithStandardWebhooksAndFollowTheFilter() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(
                    auth, "invoice.paid",
                    schema: [
                        "type": "object", "required": ["amount"], "properties": ["amount": ["type": "number"]],
                    ])
                try await server.createEventType(auth, "invoice.voided")
                let endpoint = try await server.createEndpoint(auth, url: receiver.url("a"), eventTypes: ["invoice.paid"])
                let secret = try #require(endpoint.secret)
                #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)

                for n in 1...5 {
                    let posted = try await server.postEvent(auth, type: "invoice.paid", payload: ["amount": 1234.56, "n": n])
                    #expect(posted.status == 201)
                }
                #expect(try await server.postEvent(auth, type: "invoice.voided", payload: ["n": 0]).status == 201)

                let deliveries = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 5)
                #expect(deliveries.count == 5 && deliveries.allSatisfy { $0["status"] as? String == "succeeded" && $0["attempts"] as? Int == 1 })
                let got = receiver.requests("a")
                #expect(got.count == 5)
                #expect(try await WebhookCheckers.verifyV1(got, secret: secret) == 5)
                // Standard Webhooks payload shape, the amount exact, the filtered type absent.
                for request in got {
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
                    #expect(body["type"] as? String == "invoice.paid" && body["timestamp"] is String)
                    #expect(request.text.contains("\"amount\":1234.56"))
                    #expect(request.header("content-type") == "application/json")
                }
                // A wrong secret does not verify (the checker is not a rubber stamp).
                await #expect(throws: (any Error).self) {
                    _ = try await WebhookCheckers.verifyV1(got, secret: WebhookSignature.newSecret())
                }
                // Events settle as completed; the voided one had no endpoint and is completed too.
                let events = try await server.request(.get, "/v1/events?limit=50", auth: auth).items
                #expect(events.count == 6 && events.allSatisfy { $0["status"] as? String == "completed" })
                // Each attempt is recorded with its latency and the answer's start.
                let one = try await server.request(.get, "/v1/webhook-deliveries/\(deliveries[0]["id"] as! String)", auth: auth).json
                let attempts = try #require(one["attemptLog"] as? [[String: Any]])
                #expect(attempts.count == 1 && attempts[0]["responseCode"] as? Int == 200 && attempts[0]["latencyMs"] is Int)
                #expect(attempts[0]["responseExcerpt"] as? String == "answer 200")
                // The request log names the endpoint, not its URL (a URL's path can be a credential).
                await server.flushRequestLogs()
                let logged = try await server.runtime.database.query("SELECT path FROM request_logs WHERE operation = 'webhook.deliver'")
                let paths = try logged.map { try $0.decode(column: "path", as: String.self) }
                #expect(paths.count == 5 && paths.allSatisfy { $0 == "webhook-endpoint:\(endpoint.id.lowercased())" }, "\(paths)")
            }
        }
    }

    @Test func v1aSignaturesVerifyWithThePublicKey() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "order.created")
                let endpoint = try await server.createEndpoint(auth, url: receiver.url("ed"), extra: ["signingScheme": "v1a"])
                #expect(endpoint.secret == nil)  // the private key never leaves
                let publicKey = try #require(endpoint.body["publicKey"] as? String)
                #expect(publicKey.hasPrefix("whpk_"))
                for n in 1...3 { try await server.postEvent(auth, type: "order.created", payload: ["n": n]) }
                _ = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 3)
                let got = receiver.requests("ed")
                #expect(got.count == 3 && got.allSatisfy { $0.header("webhook-signature")?.hasPrefix("v1a,") == true })
                #expect(try await WebhookCheckers.verifyV1a(got, publicKey: publicKey) == 3)
            }
        }
    }

    @Test func retriesFollowTheDefaultScheduleWithTheSameWebhookId() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "stock.changed")
                // 500, 429 asking for 20 minutes, a timeout-free 503, then success.
                receiver.script("flaky") { call in
                    switch call {
                    case 1: .init(status: 500)
                    case 2: .init(status: 429, retryAfter: "1200")
                    case 3: .init(status: 503)
                    default: .init(status: 204)
                    }
                }
                let endpoint = try await server.createEndpoint(auth, url: receiver.url("flaky"))
                try await server.postEvent(auth, type: "stock.changed", payload: ["sku": "A-1"])
                var steps: [TimeInterval] = []
                for expected in 1...3 {
                    _ = try await receiver.waitFor("flaky", count: expected)
                    let pending = try await Self.pendingDelivery(server, auth, endpoint.id, attempts: expected)
                    steps.append(pending.next.timeIntervalSince(pending.last))
                    server.clock.set(pending.next.addingTimeInterval(0.001))
                }
                let got = try await receiver.waitFor("flaky", count: 4)
                #expect(got.count == 4)
                // 5 s ±20%; the 429's 1,200 s stretches the 5 min step; 30 min ±20%.
                #expect((4.0...6.0).contains(steps[0]))
                #expect(abs(steps[1] - 1200) < 0.01)
                #expect((1440.0...2160.0).contains(steps[2]))
                #expect(Set(got.compactMap { $0.header("webhook-id") }).count == 1)
                let deliveries = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 1)
                #expect(deliveries[0]["status"] as? String == "succeeded" && deliveries[0]["attempts"] as? Int == 4)
                let detail = try await server.request(.get, "/v1/webhook-deliveries/\(deliveries[0]["id"] as! String)", auth: auth).json
                let codes = (detail["attemptLog"] as? [[String: Any]] ?? []).compactMap { $0["responseCode"] as? Int }
                #expect(codes == [500, 429, 503, 204])
            }
        }
    }

    static func pendingDelivery(
        _ server: TestServer, _ auth: TestServer.Auth, _ endpoint: String,
        attempts: Int
    ) async throws -> (last: Date, next: Date) {
        for _ in 0..<200 {
            let items = try await server.request(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries", auth: auth).items
            if let d = items.first, d["attempts"] as? Int == attempts, let last = (d["lastAttemptAt"] as? String).flatMap({ RFC3339.date(from: $0) }),
                let next = (d["nextAttemptAt"] as? String).flatMap({ RFC3339.date(from: $0) })
            {
                return (last, next)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no pending delivery with \(attempts) attempts")
    }

    @Test func exhaustedDeliveriesAreDeadLetteredAndReplayable() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (owner, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "payment.failed")
                try await server.createEventType(auth, "payment.refused")
                let down = Mutex(true)
                receiver.script("down") { _ in down.withLock { $0 } ? .init(status: 502) : .init(status: 200) }
                receiver.script("picky") { _ in .init(status: 400) }
                let endpoint = try await server.createEndpoint(
                    auth, url: receiver.url("down"), eventTypes: ["payment.failed"],
                    extra: ["retrySchedule": [10, 10]])
                let picky = try await server.createEndpoint(auth, url: receiver.url("picky"), eventTypes: ["payment.refused"])
                for n in 1...2 {
                    try await server.postEvent(auth, type: "payment.failed", payload: ["n": n])
                    try await server.postEvent(auth, type: "payment.refused", payload: ["n": n])
                }

                let dead = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 2, followSchedule: true)
                #expect(dead.allSatisfy { $0["status"] as? String == "dead" && $0["attempts"] as? Int == 3 })
                // A 400 fails at once, without retry.
                let refused = try await server.settledDeliveries(auth, endpoint: picky.id, expect: 2)
                #expect(refused.allSatisfy { $0["status"] as? String == "failed" && $0["attempts"] as? Int == 1 })
                #expect(receiver.requests("picky").count == 2)
                let letters = try await server.runtime.database.query(
                    """
                    SELECT reason FROM dead_letters WHERE account_id = \(bind: owner.accountId) AND job_type = 'webhook.deliver'
                    """)
                #expect(letters.count == 4)
                let events = try await server.request(.get, "/v1/events?status=failed", auth: auth).items
                #expect(events.count == 4)

                // The receiver is back: replay the endpoint's dead deliveries.
                down.withLock { $0 = false }
                let since = RFC3339.string(from: server.clock.now().addingTimeInterval(-3600))
                let replay = try await server.request(.post, "/v1/webhook-endpoints/\(endpoint.id)/replay", json: ["since": since], auth: auth)
                #expect(replay.status == 202 && replay.json["replayed"] as? Int == 2)
                let replayed = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 2)
                #expect(replayed.allSatisfy { $0["status"] as? String == "succeeded" && $0["attempts"] as? Int == 4 })
                // Same webhook-id on every attempt and the replay, per delivery.
                let byId = Dictionary(grouping: receiver.requests("down"), by: { $0.header("webhook-id") ?? "" })
                #expect(byId.count == 2 && byId.values.allSatisfy { $0.count == 4 })
                // One delivery replayed on its own; a pending one cannot be.
                let single = try await server.request(.post, "/v1/webhook-deliveries/\(replayed[0]["id"] as! String)/replay", auth: auth)
                #expect(single.status == 202)
                let again = try await server.request(.post, "/v1/webhook-deliveries/\(replayed[0]["id"] as! String)/replay", auth: auth)
                #expect(again.status == 409 || again.status == 202)
                _ = try await receiver.waitFor("down", count: 9)
                _ = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 2)
                #expect(try await server.request(.get, "/v1/events?status=completed", auth: auth).items.count == 2)
            }
        }
    }

    @Test func goneDisablesTheEndpointAndAnnouncesIt() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "doc.stored")
                receiver.script("gone") { _ in .init(status: 410) }
                let gone = try await server.createEndpoint(auth, url: receiver.url("gone"), eventTypes: ["doc.*"])
                let ops = try await server.createEndpoint(auth, url: receiver.url("ops"), eventTypes: ["endpoint.disabled"])
                try await server.postEvent(auth, type: "doc.stored", payload: ["id": 1])
                let failed = try await server.settledDeliveries(auth, endpoint: gone.id, expect: 1)
                #expect(failed[0]["status"] as? String == "failed" && failed[0]["attempts"] as? Int == 1)
                let endpoint = try await server.request(.get, "/v1/webhook-endpoints/\(gone.id)", auth: auth).json
                #expect(endpoint["status"] as? String == "disabled" && (endpoint["disabledReason"] as? String)?.contains("410") == true)
                let announced = try await receiver.waitFor("ops", count: 1)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(announced[0].body)) as? [String: Any])
                #expect(body["type"] as? String == "endpoint.disabled")
                #expect(((body["data"] as? [String: Any])?["endpointId"] as? String)?.lowercased() == gone.id.lowercased())
                // Later events skip the disabled endpoint; re-enabling it clears the reason.
                try await server.postEvent(auth, type: "doc.stored", payload: ["id": 2])
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.requests("gone").count == 1)
                let enabled = try await server.request(.patch, "/v1/webhook-endpoints/\(gone.id)", json: ["status": "active"], auth: auth)
                #expect(enabled.json["status"] as? String == "active" && enabled.json["disabledReason"] == nil)
            }
        }
    }

    @Test func anEndpointsCircuitBreakerOpensAndShowsInTheAPI() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "ping")
                receiver.script("down") { _ in .init(status: 503) }
                let policy = try await server.request(
                    .post, "/v1/policies",
                    json: [
                        "name": "breaker",
                        "circuitBreaker": ["failureRateThreshold": 1, "windowSize": 2, "minimumCalls": 2, "openMs": 600_000, "halfOpenProbes": 1],
                    ], auth: auth)
                let endpoint = try await server.createEndpoint(
                    auth, url: receiver.url("down"),
                    extra: [
                        "policyId": try #require(policy.json["id"] as? String), "retrySchedule": [3600],
                    ])
                #expect(endpoint.body["breaker"] as? String == "closed")
                for n in 1...2 {
                    try await server.postEvent(auth, type: "ping", payload: ["n": n])
                    _ = try await receiver.waitFor("down", count: n)
                }
                let attempted = try await waitUntilAttempted(server, auth, endpoint: endpoint.id, count: 2)
                #expect(attempted.allSatisfy { $0["responseCode"] as? Int == 503 })
                let view = try await server.request(.get, "/v1/webhook-endpoints/\(endpoint.id)", auth: auth).json
                #expect(view["breaker"] as? String == "open")
                // While open, a delivery is refused here: recorded, retried later, never sent.
                try await server.postEvent(auth, type: "ping", payload: ["n": 3])
                let third = try await waitUntilAttempted(server, auth, endpoint: endpoint.id, count: 3)
                #expect(third.filter { $0["responseCode"] == nil && $0["status"] as? String == "pending" }.count == 1)
                #expect(receiver.requests("down").count == 2)
            }
        }
    }

    /// Polls an endpoint's deliveries until `count` of them have been attempted at least once.
    func waitUntilAttempted(_ server: TestServer, _ auth: TestServer.Auth, endpoint: String, count: Int) async throws -> [[String: Any]] {
        for _ in 0..<200 {
            let items = try await server.request(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries", auth: auth).items
            if items.filter({ ($0["attempts"] as? Int ?? 0) >= 1 }).count >= count { return items }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("fewer than \(count) deliveries attempted")
    }

    @Test func aPausedEndpointsDeliveriesWaitAndGoOutOnResume() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "held")
                let endpoint = try await server.createEndpoint(auth, url: receiver.url("held"), extra: ["status": "paused"])
                for n in 1...3 { try await server.postEvent(auth, type: "held", payload: ["n": n]) }
                try await Task.sleep(for: .milliseconds(1500))
                #expect(receiver.requests("held").isEmpty)
                let waiting = try await server.request(.get, "/v1/webhook-endpoints/\(endpoint.id)/deliveries", auth: auth).items
                #expect(waiting.count == 3 && waiting.allSatisfy { $0["status"] as? String == "pending" && $0["attempts"] as? Int == 0 })
                #expect(
                    try await server.request(.patch, "/v1/webhook-endpoints/\(endpoint.id)", json: ["status": "active"], auth: auth).status == 200)
                let delivered = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 3)
                #expect(delivered.allSatisfy { $0["status"] as? String == "succeeded" && $0["attempts"] as? Int == 1 })
                #expect(receiver.requests("held").count == 3)
            }
        }
    }

    @Test func anEndpointFailingForFiveDaysIsDisabled() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "ping")
                receiver.script("broken") { _ in .init(status: 500) }
                let day: TimeInterval = 86_400
                let endpoint = try await server.createEndpoint(
                    auth, url: receiver.url("broken"), extra: ["retrySchedule": [4 * day, 4 * day, 4 * day]])
                try await server.postEvent(auth, type: "ping", payload: [:])
                let dead = try await server.settledDeliveries(auth, endpoint: endpoint.id, expect: 1, followSchedule: true)
                // Attempts at day 0, 3.2–4.8 and 6.4–9.6 (4 days ±20% apart): only the third is past five days of failing.
                #expect(dead[0]["status"] as? String == "dead" && dead[0]["attempts"] as? Int == 3)
                let view = try await server.request(.get, "/v1/webhook-endpoints/\(endpoint.id)", auth: auth).json
                #expect(view["status"] as? String == "disabled" && (view["disabledReason"] as? String)?.contains("5 days") == true)
                let announced = try await server.request(.get, "/v1/events?type=endpoint.disabled", auth: auth).items
                #expect(announced.count == 1)
            }
        }
    }

    @Test func rotationSignsWithBothSecretsDuringTheOverlap() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: Self.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "tick")
                let endpoint = try await server.createEndpoint(auth, url: receiver.url("r"))
                let old = try #require(endpoint.secret)
                let rotated = try await server.request(
                    .post, "/v1/webhook-endpoints/\(endpoint.id)/rotate-secret",
                    json: ["overlapSeconds": 7200], auth: auth)
                #expect(rotated.status == 200)
                let new = try #require(rotated.json["secret"] as? String)
                #expect(new != old && (rotated.json["endpoint"] as? [String: Any])?["previousSecretExpiresAt"] is String)
                #expect(
                    try await server.request(
                        .post, "/v1/webhook-endpoints/\(endpoint.id)/rotate-secret",
                        json: ["overlapSeconds": 8 * 86_400], auth: auth
                    ).status == 422)

                try await server.postEvent(auth, type: "tick", payload: ["n": 1])
                let first = try await receiver.waitFor("r", count: 1)
                #expect(first[0].header("webhook-signature")?.split(separator: " ").count == 2)
                #expect(try await WebhookCheckers.verifyV1(first, secret: old) == 1)
                #expect(try await WebhookCheckers.verifyV1(first, secret: new) == 1)

                // After the overlap only the new secret signs.
                server.clock.advance(by: 7201)
                try await server.postEvent(auth, type: "tick", payload: ["n": 2])
                let second = try await receiver.waitFor("r", count: 2)
                let later = second[1]
                #expect(later.header("webhook-signature")?.split(separator: " ").count == 1)
                let key = try WebhookSignature.key(new)
                let timestamp = try #require(later.header("webhook-timestamp"))
                #expect(throws: Never.self) {
                    try WebhookSignature.verify(
                        id: later.header("webhook-id"), timestamp: timestamp, signatureHeader: later.header("webhook-signature"),
                        body: later.body, key: key, now: Date(timeIntervalSince1970: Double(timestamp)!))
                }
            }
        }
    }
}

/// A receiver that misbehaves at random: nothing is lost — every delivery ends delivered or
/// dead-lettered, with one recorded attempt per request the receiver saw.
@Suite struct WebhookChaosTests {
    @Test func aChaoticReceiverLosesNothing() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, lane: .heavy, configure: WebhookDeliveryTests.allowLoopback) { server in
                let (owner, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "chaos.event")
                // 30% 500s, 10% slower than the endpoint's 300 ms timeout, 10% 429 asking for 2 s.
                receiver.script("chaos") { _ in
                    switch Int.random(in: 0..<100) {
                    case 0..<30: .init(status: 500)
                    case 30..<40: .init(status: 200, delayMs: 1_000)
                    case 40..<50: .init(status: 429, retryAfter: "2")
                    default: .init(status: 200)
                    }
                }
                let policy = try await server.request(
                    .post, "/v1/policies",
                    json: [
                        "name": "webhook-fast", "timeouts": ["connectMs": 1000, "attemptMs": 300, "totalMs": 300],
                    ], auth: auth)
                #expect(policy.status == 201)
                let endpoint = try await server.createEndpoint(
                    auth, url: receiver.url("chaos"),
                    extra: [
                        "retrySchedule": [1, 1, 1, 1], "policyId": policy.json["id"] as! String,
                    ])
                let events = 60
                for n in 1...events { #expect(try await server.postEvent(auth, type: "chaos.event", payload: ["n": n]).status == 201) }
                let settled = try await server.settledDeliveries(
                    auth, endpoint: endpoint.id, expect: events, followSchedule: true,
                    timeout: .seconds(120))
                let succeeded = settled.filter { $0["status"] as? String == "succeeded" }
                let dead = settled.filter { $0["status"] as? String == "dead" }
                #expect(succeeded.count + dead.count == events)
                let rows = try await server.runtime.database.query(
                    """
                    SELECT COUNT(*) AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
                    WHERE d.account_id = \(bind: owner.accountId)
                    """)
                let recorded: Int = try rows[0].decode(column: "n", as: Int.self)
                // Every request the receiver saw is an attempt; a timed-out one too.
                try await Task.sleep(for: .milliseconds(1200))  // the slow answers finish arriving
                #expect(recorded == receiver.requests("chaos").count)
                #expect(recorded == settled.reduce(0) { $0 + ($1["attempts"] as? Int ?? 0) })
                let letters = try await server.runtime.database.query(
                    """
                    SELECT COUNT(*) AS n FROM dead_letters WHERE account_id = \(bind: owner.accountId) AND requeued_at IS NULL
                    """)
                #expect(try letters[0].decode(column: "n", as: Int.self) == dead.count)
                // Each delivered event reached the receiver with a 2xx at least once.
                let delivered = Set(receiver.requests("chaos").compactMap { $0.header("webhook-id") })
                #expect(succeeded.allSatisfy { delivered.contains($0["messageId"] as? String ?? "") })
            }
        }
    }
}
