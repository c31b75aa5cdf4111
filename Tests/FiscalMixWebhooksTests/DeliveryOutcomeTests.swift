import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs
@testable import FiscalMixWebhooks

/// The delivery worker's batched writes: many outcomes recorded in one transaction, only by the
/// job that holds each delivery, with their attempts, dead letters and event statuses.
@Suite struct DeliveryOutcomeTests {
    @Test func aBatchRecordsOnlyWhatItsJobsHoldAndSettlesTheEventsItEnded() async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "outcomes")) { database in
            let now = Date()
            let (account, endpoints) = try await WebhookFixtures.account(database, endpoints: ["erp", "crm"], now: now)
            let events = try await database.transaction { tx in
                try await IntegrationEventPublisher(database: database).publish(
                    accountId: account,
                    [
                        .init(key: "a", type: "order.created", source: "erp", payloadJSON: "{}"),
                        .init(key: "b", type: "order.created", source: "erp", payloadJSON: "{}"),
                    ], now: now, in: tx)
            }
            let deliveries = WebhookDeliveryRepository(database: database)
            func delivery(_ event: Int, _ endpoint: Int) async throws -> WebhookDelivery {
                try #require(
                    try await deliveries.list(
                        accountId: account, .init(endpointId: endpoints[endpoint], eventId: events[event].id),
                        page: PageRequest(limit: 5)
                    ).items.first)
            }
            func outcome(
                _ d: WebhookDelivery, _ status: WebhookDelivery.Status, code: Int, jobId: UUID? = nil, reason: String? = nil
            ) throws -> WebhookDeliveryRepository.Outcome {
                var next = d
                next.status = status
                next.attempts += 1
                next.responseCode = code
                next.lastAttemptAt = now
                next.nextAttemptAt = status == .pending ? now.addingTimeInterval(5) : nil
                next.updatedAt = now
                let attempt = WebhookDeliveryAttempt(
                    id: ID.make(now: now), deliveryId: d.id, attempt: next.attempts, requestedAt: now, latencyMs: 7,
                    responseCode: code, responseExcerpt: "answer \(code)", error: code < 300 ? nil : "HTTP \(code)")
                return .init(delivery: next, attempt: attempt, jobId: try jobId ?? #require(d.jobId), deadLetterReason: reason)
            }
            let (a1, a2, b1, b2) = (try await delivery(0, 0), try await delivery(0, 1), try await delivery(1, 0), try await delivery(1, 1))
            let batch = [
                try outcome(a1, .succeeded, code: 200),
                try outcome(a2, .dead, code: 500, reason: "retry schedule spent"),
                try outcome(b1, .succeeded, code: 204),
                try outcome(b2, .pending, code: 503),
                // A job that lost b2 to a replay: its outcome must not land.
                try outcome(b2, .succeeded, code: 200, jobId: ID.make()),
            ]
            let recorded = try await database.transaction { tx in
                let recorded = try await deliveries.record(batch, now: now, in: tx)
                try await IntegrationEventRepository(database: database).settle(eventIds: events.map(\.id), now: now, in: tx)
                return recorded
            }
            #expect(recorded == Set(batch.prefix(4).map { WebhookDeliveryRepository.RecordedOutcome(deliveryId: $0.delivery.id, jobId: $0.jobId) }))

            #expect(try await delivery(0, 0).status == .succeeded)
            #expect(try await delivery(0, 1).status == .dead)
            let retried = try await delivery(1, 1)
            #expect(retried.status == .pending && retried.attempts == 1 && retried.responseCode == 503 && retried.nextAttemptAt != nil)
            for d in [a1, a2, b1, b2] {
                let attempts = try await deliveries.attempts(deliveryId: d.id)
                #expect(attempts.count == 1 && attempts[0].latencyMs == 7 && attempts[0].responseExcerpt?.hasPrefix("answer") == true)
            }
            let letters = try await database.query("SELECT delivery_id, reason FROM dead_letters WHERE account_id = \(bind: account)")
            #expect(letters.count == 1)
            #expect(try letters.first?.decode(column: "delivery_id", as: UUID.self) == a2.id)
            #expect(try letters.first?.decode(column: "reason", as: String.self) == "retry schedule spent")
            // Event a ended (one delivery dead: failed); event b still waits for its retry.
            let repository = IntegrationEventRepository(database: database)
            #expect(try await repository.find(id: events[0].id, accountId: account)?.status == .failed)
            #expect(try await repository.find(id: events[1].id, accountId: account)?.status == .dispatched)

            // A finished delivery stays finished: recording it again writes nothing.
            let late = try outcome(a1, .dead, code: 500)
            let again = try await database.transaction { tx in try await deliveries.record([late], now: now, in: tx) }
            #expect(again.isEmpty)
            #expect(try await deliveries.attempts(deliveryId: a1.id).count == 1)
        }
    }

    @Test func aRetryJobIsKeptOnlyWithTheOutcomeThatLanded() async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "outcomes")) { database in
            let now = Date()
            let (account, _) = try await WebhookFixtures.account(database, endpoints: ["erp", "crm"], now: now)
            let event = try await database.transaction { tx in
                try await IntegrationEventPublisher(database: database).publish(
                    accountId: account,
                    [
                        .init(key: "a", type: "order.created", source: "erp", payloadJSON: "{}")
                    ], now: now, in: tx)[0]
            }
            let deliveries = WebhookDeliveryRepository(database: database)
            let both = try await deliveries.list(accountId: account, .init(eventId: event.id), page: PageRequest(limit: 5)).items
            // Both first attempts share one job.
            #expect(both.count == 2 && Set(both.map(\.jobId)).count == 1)
            let shared = try #require(both[0].jobId)
            func retry(_ d: WebhookDelivery, heldBy jobId: UUID) -> WebhookDeliveryRepository.Outcome {
                var next = d
                next.attempts += 1
                next.nextAttemptAt = now.addingTimeInterval(5)
                var job = WebhookDeliveryRepository.job(deliveryId: d.id, eventId: d.eventId, accountId: account, now: now)
                job.runAt = next.nextAttemptAt
                return .init(delivery: next, attempt: nil, jobId: jobId, deadLetterReason: nil, retryJob: job)
            }
            let landing = retry(both[0], heldBy: shared)
            let stale = retry(both[1], heldBy: ID.make())
            let recorded = try await database.transaction { tx in try await deliveries.record([landing, stale], now: now, in: tx) }
            #expect(recorded == [.init(deliveryId: both[0].id, jobId: shared)])
            let retryJobId = try #require(landing.retryJob?.id)
            #expect(try await deliveries.find(id: both[0].id)?.jobId == retryJobId)
            #expect(try await deliveries.find(id: both[1].id)?.jobId == shared)
            let jobs = JobRepository(database: database)
            #expect(try await jobs.find(id: retryJobId, accountId: nil)?.status == .queued)
            #expect(abs(try await jobs.find(id: retryJobId, accountId: nil)?.runAt.timeIntervalSince(now.addingTimeInterval(5)) ?? 1) < 0.001)
            // The outcome that did not land leaves no job behind.
            #expect(try await jobs.find(id: try #require(stale.retryJob?.id), accountId: nil) == nil)
        }
    }

    @Test func concurrentCallersShareBatchesAndAFailureStaysWithItsItem() async throws {
        let batches = Mutex<[Int]>([])
        let running = Mutex((now: 0, most: 0))
        let commit = GroupCommit<Int, Int>(maxBatch: 40, maxConcurrent: 2) { items in
            running.withLock {
                $0.now += 1; $0.most = max($0.most, $0.now)
            }
            defer { running.withLock { $0.now -= 1 } }
            batches.withLock { $0.append(items.count) }
            try await Task.sleep(for: .milliseconds(20))
            if items.contains(13) { throw CancellationError() }
            return items.map { $0 * 2 }
        }
        let results = await withTaskGroup(of: (Int, Int?).self) { group in
            for item in 0..<200 { group.addTask { (item, try? await commit.submit(item)) } }
            return await group.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        for (item, output) in results { #expect(output == (item == 13 ? nil : item * 2), "item \(item)") }
        let sizes = batches.withLock { $0 }
        // 200 callers went out in a few batches (plus the retries, one by one, of the batch
        // that held the failing item), never more than two at a time nor above the cap.
        #expect(sizes.max() == 40)
        #expect(sizes.filter { $0 > 1 }.count < 15)
        #expect(running.withLock { $0.most } <= 2)
    }
}
