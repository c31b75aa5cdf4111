import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import SQLKit
import Testing

@testable import FiscalMixDatabase

/// An event's first attempts share one job; a delivery that needs another attempt leaves it
/// with a job of its own (which, failing again, is run again), and the others are not sent again.
@Suite struct WebhookFirstAttemptTests {
    @Test func anEventsFirstAttemptsShareAJobAndARetryGetsItsOwn() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: WebhookDeliveryTests.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "order.shipped")
                receiver.script("steady") { _ in .init(status: 204) }
                receiver.script("flaky") { call in call <= 2 ? .init(status: 500) : .init(status: 200) }
                let steady = try await server.createEndpoint(auth, url: receiver.url("steady"))
                let flaky = try await server.createEndpoint(auth, url: receiver.url("flaky"))
                try await server.postEvent(auth, type: "order.shipped", payload: ["order": 7])

                _ = try await receiver.waitFor("flaky", count: 1)
                _ = try await receiver.waitFor("steady", count: 1)
                let pending = try await WebhookDeliveryTests.pendingDelivery(server, auth, flaky.id, attempts: 1)
                let database = server.runtime.database
                let rows = try await database.query(
                    """
                    SELECT d.id, d.endpoint_id, d.job_id, j.status, j.run_at, CAST(j.payload AS TEXT) AS payload FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id
                    """)
                let byEndpoint = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(column: "endpoint_id", as: UUID.self), $0) })
                let (steadyId, flakyId) = (UUID(uuidString: steady.id), UUID(uuidString: flaky.id))
                let steadyJob = try #require(steadyId.flatMap { byEndpoint[$0] })
                let flakyJob = try #require(flakyId.flatMap { byEndpoint[$0] })
                // The first attempts ran in one job, which lists both deliveries and ends a success
                // (its pass is recorded a moment after the attempts).
                let sharedId = try steadyJob.decode(column: "job_id", as: UUID.self)
                var sharedStatus = ""
                for _ in 0..<100 {
                    let shared = try await database.query("SELECT status, CAST(payload AS TEXT) AS payload FROM jobs WHERE id = \(bind: sharedId)")
                    let payload = try #require(try shared.first?.decode(column: "payload", as: String.self))
                    for row in [steadyJob, flakyJob] { #expect(payload.contains(try row.decode(column: "id", as: UUID.self).lowercased)) }
                    sharedStatus = try shared.first?.decode(column: "status", as: String.self) ?? ""
                    if sharedStatus == "success" { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(sharedStatus == "success")
                #expect(try await database.query("SELECT id FROM jobs WHERE type = 'webhook.deliver'").count == 2)
                // The failed one now has a job of its own, due at its next attempt.
                #expect(try flakyJob.decode(column: "job_id", as: UUID.self) != steadyJob.decode(column: "job_id", as: UUID.self))
                #expect(try flakyJob.decode(column: "status", as: String.self) == "queued")
                let due = try flakyJob.decode(column: "run_at", as: Date.self)
                #expect(abs(due.timeIntervalSince(pending.next)) < 0.01)
                #expect(try flakyJob.decode(column: "payload", as: String.self).contains("\"deliveryId\""))

                // Its own job, failing again, is the one that runs again: no further job.
                server.clock.set(pending.next.addingTimeInterval(0.001))
                _ = try await receiver.waitFor("flaky", count: 2)
                let second = try await WebhookDeliveryTests.pendingDelivery(server, auth, flaky.id, attempts: 2)
                let ownJob = try flakyJob.decode(column: "job_id", as: UUID.self)
                // The delivery's attempt is recorded before the worker's pass puts its job back
                // in the queue, so the job may still be running for a moment.
                var held: [any SQLRow] = []
                for _ in 0..<100 {
                    held = try await database.query(
                        """
                        SELECT d.job_id, j.status, j.run_at FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id WHERE d.endpoint_id = \(bind: try #require(flakyId))
                        """)
                    if try held.first?.decode(column: "status", as: String.self) != "running" { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(try held.first?.decode(column: "job_id", as: UUID.self) == ownJob)
                #expect(try held.first?.decode(column: "status", as: String.self) == "queued")
                #expect(abs(try held.first?.decode(column: "run_at", as: Date.self).timeIntervalSince(second.next) ?? 1) < 0.01)
                #expect(try await database.query("SELECT id FROM jobs WHERE type = 'webhook.deliver'").count == 2)

                server.clock.set(second.next.addingTimeInterval(0.001))
                let retried = try await receiver.waitFor("flaky", count: 3)
                #expect(Set(retried.compactMap { $0.header("webhook-id") }).count == 1)
                let settled = try await server.settledDeliveries(auth, endpoint: flaky.id, expect: 1)
                #expect(settled[0]["status"] as? String == "succeeded" && settled[0]["attempts"] as? Int == 3)
                // The steady endpoint was not sent the event again.
                #expect(receiver.requests("steady").count == 1)
            }
        }
    }
}
