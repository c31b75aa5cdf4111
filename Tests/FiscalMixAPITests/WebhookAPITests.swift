import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixWebhooks

/// The events and webhook-endpoint API without deliveries: idempotent ingest, the catalogue's
/// schemas, validation, tenancy, and secrets that are shown once and never again.
@Suite struct WebhookAPITests {
    @Test func eventsAreIdempotentByIdAndCheckedAgainstTheirSchema() async throws {
        try await TestServer.run { server in
            let (_, auth) = try await server.ownerApiKey()
            try await server.createEventType(
                auth, "nfe.authorized",
                schema: [
                    "type": "object", "required": ["chave", "valor"],
                    "properties": ["chave": ["type": "string", "pattern": "^[0-9]{44}$"], "valor": ["type": "number", "minimum": 0]],
                ])
            let key = String(repeating: "3", count: 44)
            let first = try await server.postEvent(auth, type: "nfe.authorized", payload: ["chave": key, "valor": 10.5], id: "evt-1")
            #expect(first.status == 201 && first.json["eventId"] as? String == "evt-1" && first.json["status"] as? String == "completed")
            // The same id again: the original, nothing new (even with another payload).
            let again = try await server.postEvent(auth, type: "nfe.authorized", payload: ["chave": key, "valor": 99], id: "evt-1")
            #expect(again.status == 200 && again.json["id"] as? String == first.json["id"] as? String)
            #expect((again.json["payload"] as? [String: Any])?["valor"] as? Double == 10.5)
            // Concurrent repeats of a new id create one event.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await server.postEvent(auth, type: "nfe.authorized", payload: ["chave": key, "valor": 1], id: "evt-2").status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.filter { $0 == 200 }.count == 9)
            #expect(try await server.request(.get, "/v1/events", auth: auth).items.count == 2)
            // Concurrent calls are written together; each answer is its own event, as stored.
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for n in 0..<25 {
                    group.addTask {
                        try await server.postEvent(
                            auth, type: "nfe.authorized", payload: ["chave": key, "valor": n], id: n < 20 ? "evt-batch-\(n)" : "evt-3")
                    }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            #expect(answers.filter { $0.status == 201 }.count == 21 && answers.filter { $0.status == 200 }.count == 4)
            for answer in answers {
                let json = answer.json
                let stored = try await server.request(.get, "/v1/events/\(try #require(json["id"] as? String))", auth: auth)
                #expect(stored.status == 200 && stored.json["eventId"] as? String == json["eventId"] as? String)
                #expect(
                    stored.json["status"] as? String == json["status"] as? String
                        && stored.json["createdAt"] as? String == json["createdAt"] as? String)
                #expect((stored.json["payload"] as? [String: Any])?["valor"] as? Int == (json["payload"] as? [String: Any])?["valor"] as? Int)
            }

            let invalid = try await server.postEvent(auth, type: "nfe.authorized", payload: ["chave": "123", "valor": -1])
            #expect(invalid.status == 422 && invalid.code == "payload_invalid" && invalid.text.contains("/chave"))
            let unknown = try await server.postEvent(auth, type: "nfe.authorised", payload: [:])
            #expect(unknown.status == 422 && unknown.code == "unknown_event_type")
            // Built-in types need no registration.
            #expect(try await server.postEvent(auth, type: "fiscal_document.received", payload: ["x": 1]).status == 201)
            let missing = try await server.request(.post, "/v1/events", json: ["eventType": "nfe.authorized"], auth: auth)
            #expect(missing.status == 422 && missing.code == "validation_failed")
            let huge = try await server.postEvent(auth, type: "fiscal_document.received", payload: ["blob": String(repeating: "a", count: 300_000)])
            #expect(huge.status == 413)
            // A broken schema is refused when saved.
            let broken = try await server.request(.post, "/v1/event-types", json: ["name": "bad.schema", "payloadSchema": ["type": 12]], auth: auth)
            #expect(broken.status == 422 && broken.code == "invalid_schema")
            let duplicate = try await server.request(.post, "/v1/event-types", json: ["name": "nfe.authorized"], auth: auth)
            #expect(duplicate.status == 409)
        }
    }

    /// Two last deliveries that end at the same instant can each see the other pending and leave
    /// the event `dispatched`; the minutely sweep settles it.
    @Test func theSweepSettlesEventsLeftDispatched() async throws {
        try await TestServer.run { server in
            let (owner, auth) = try await server.ownerApiKey()
            try await server.createEventType(auth, "swept")
            _ = try await server.createEndpoint(auth, url: "https://example.com/a")
            _ = try await server.createEndpoint(auth, url: "https://example.com/b")
            let event = try await server.postEvent(auth, type: "swept", payload: ["n": 1])
            #expect(event.json["status"] as? String == "dispatched")
            // The race's outcome: both deliveries ended, the event row untouched.
            let database = server.runtime.database
            let ids: [UUID] = try await database.query("SELECT id FROM webhook_deliveries WHERE account_id = \(bind: owner.accountId)")
                .map { try $0.decode(column: "id", as: UUID.self) }
            #expect(ids.count == 2)
            try await database.execute("UPDATE webhook_deliveries SET status = 'succeeded' WHERE id = \(bind: ids[0])")
            try await database.execute("UPDATE webhook_deliveries SET status = 'dead' WHERE id = \(bind: ids[1])")
            let events = IntegrationEventRepository(database: server.runtime.database)
            // Within the grace period nothing moves (a delivery may be finishing).
            #expect(try await events.settleStale(now: server.clock.now()) == 0)
            #expect(try await events.settleStale(now: server.clock.now().addingTimeInterval(10)) == 1)
            let settled = try await server.request(.get, "/v1/events/\(event.json["id"] as! String)", auth: auth)
            #expect(settled.json["status"] as? String == "failed")
            #expect(try await events.settleStale(now: server.clock.now().addingTimeInterval(20)) == 0)
        }
    }

    @Test func endpointInputIsValidated() async throws {
        try await TestServer.run { server in
            let (_, auth) = try await server.ownerApiKey()
            let cases: [([String: Any], String)] = [
                (["url": "ftp://example.com/hook"], "url"),
                (["url": "https://user:pw@example.com/hook"], "url"),
                (["url": "https://example.com/hook", "headers": ["webhook-signature": "x"]], "headers"),
                (["url": "https://example.com/hook", "headers": ["X-Bad": "line\nbreak"]], "headers"),
                (["url": "https://example.com/hook", "retrySchedule": [-1]], "retrySchedule"),
                (["url": "https://example.com/hook", "retrySchedule": Array(repeating: 1, count: 21)], "retrySchedule"),
                (["url": "https://example.com/hook", "eventTypes": ["not a type"]], "eventTypes"),
                (["url": "https://example.com/hook", "rateLimitPerSecond": 0], "rateLimitPerSecond"),
                (["url": "https://example.com/hook", "signingScheme": "v2"], "signingScheme"),
            ]
            for (body, field) in cases {
                let response = try await server.request(.post, "/v1/webhook-endpoints", json: body, auth: auth)
                #expect(response.status == 422, "\(body)")
                #expect(response.text.contains(field), "\(response.text)")
            }
            #expect(try await server.request(.get, "/v1/webhook-endpoints", auth: auth).items.isEmpty)
            // The account's schedule: default, replaced, restored.
            let settings = try await server.request(.get, "/v1/webhook-settings", auth: auth).json
            #expect(settings["retrySchedule"] as? [Double] == [5, 300, 1800, 7200, 18000, 36000, 36000] && settings["isDefault"] as? Bool == true)
            let changed = try await server.request(.put, "/v1/webhook-settings", json: ["retrySchedule": [1, 2, 3]], auth: auth).json
            #expect(changed["retrySchedule"] as? [Double] == [1, 2, 3] && changed["isDefault"] as? Bool == false)
            #expect(try await server.request(.put, "/v1/webhook-settings", json: ["retrySchedule": [700_000]], auth: auth).status == 422)
        }
    }

    @Test func secretsAreShownOnceAndAnotherAccountSeesNothing() async throws {
        try await TestServer.run { server in
            let (_, auth) = try await server.ownerApiKey()
            let (_, intruder) = try await server.ownerApiKey()
            try await server.createEventType(auth, "thing.happened")
            let created = try await server.createEndpoint(
                auth, url: "https://example.com/hook", extra: ["headers": ["Authorization": "Bearer receiver-token-123", "X-Tenant": "acme"]])
            let secret = try #require(created.secret)
            let rotated = try await server.request(.post, "/v1/webhook-endpoints/\(created.id)/rotate-secret", auth: auth)
            let newSecret = try #require(rotated.json["secret"] as? String)
            let event = try await server.postEvent(auth, type: "thing.happened", payload: ["a": 1])
            let eventId = try #require(event.json["id"] as? String)
            let delivery = try #require(try await server.request(.get, "/v1/webhook-endpoints/\(created.id)/deliveries", auth: auth).items.first)
            let deliveryId = try #require(delivery["id"] as? String)

            let view = try await server.request(.get, "/v1/webhook-endpoints/\(created.id)", auth: auth)
            #expect(view.json["hasSecret"] as? Bool == true && (view.json["headers"] as? [String: String])?["Authorization"] == "[redacted]")
            #expect((view.json["headers"] as? [String: String])?["X-Tenant"] == "acme")
            let list = try await server.request(.get, "/v1/webhook-endpoints", auth: auth)
            await server.flushRequestLogs()
            let audit = try await server.request(.get, "/v1/audit-logs?limit=200", auth: auth)
            for text in [view.text, list.text, audit.text, server.logs.text] {
                #expect(!text.contains(secret) && !text.contains(newSecret) && !text.contains(String(secret.dropFirst(6))))
                #expect(!text.contains("receiver-token-123"))
            }

            // A creation replayed by its Idempotency-Key answers without the secret.
            let body: [String: Any] = ["url": "https://example.com/other"]
            let keyed = try await server.request(.post, "/v1/webhook-endpoints", json: body, auth: auth, headers: ["Idempotency-Key": "create-1"])
            let replayed = try await server.request(.post, "/v1/webhook-endpoints", json: body, auth: auth, headers: ["Idempotency-Key": "create-1"])
            #expect(keyed.json["secret"] is String && replayed.json["secret"] == nil && replayed.json["secretOmitted"] as? Bool == true)

            // Another account: every id is unknown, lists are empty, replays refused as 404.
            for path in [
                "/v1/webhook-endpoints/\(created.id)", "/v1/events/\(eventId)", "/v1/webhook-deliveries/\(deliveryId)",
                "/v1/webhook-endpoints/\(created.id)/deliveries",
            ] {
                #expect(try await server.request(.get, path, auth: intruder).status == 404, "\(path)")
            }
            for path in [
                "/v1/webhook-endpoints/\(created.id)/rotate-secret", "/v1/events/\(eventId)/replay", "/v1/webhook-deliveries/\(deliveryId)/replay",
            ] {
                #expect(try await server.request(.post, path, auth: intruder).status == 404, "\(path)")
            }
            #expect(try await server.request(.patch, "/v1/webhook-endpoints/\(created.id)", json: ["status": "paused"], auth: intruder).status == 404)
            #expect(try await server.request(.delete, "/v1/webhook-endpoints/\(created.id)", auth: intruder).status == 404)
            #expect(try await server.request(.get, "/v1/events", auth: intruder).items.isEmpty)
            #expect(try await server.request(.get, "/v1/webhook-endpoints", auth: intruder).items.isEmpty)
            // Owner deletes: the sealed secrets go with the endpoint.
            #expect(try await server.request(.delete, "/v1/webhook-endpoints/\(created.id)", auth: auth).status == 204)
            #expect(try await server.request(.get, "/v1/webhook-deliveries/\(deliveryId)", auth: auth).status == 404)
        }
    }
}
