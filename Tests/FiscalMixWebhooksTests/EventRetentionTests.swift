import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixWebhooks

/// Monthly event partitions (PostgreSQL) and the retention that drops or deletes whole months of
/// events with their deliveries, attempts, idempotency keys and dead letters (both dialects).
@Suite struct EventRetentionTests {
    let logger = Logger(label: "retention-test")

    @Test func monthsAreNamedAndCountedInUTC() {
        #expect(Month(year: 2026, month: 1).adding(-1) == Month(year: 2025, month: 12))
        #expect(Month(year: 2026, month: 11).adding(14) == Month(year: 2028, month: 1))
        #expect(Month(year: 2026, month: 3).adding(-27) == Month(year: 2023, month: 12))
        // 23:30 on 31 October in São Paulo is already November in UTC.
        #expect(Month(containing: ISO8601DateFormatter().date(from: "2026-11-01T02:30:00Z")!) == Month(year: 2026, month: 11))
        // Every id made in a month sorts inside the month's bounds (a past month: ids for a
        // future instant would push this process's id sequence ahead).
        let month = Month(year: 2025, month: 3)
        for instant in [month.start, month.adding(1).start.addingTimeInterval(-0.001), month.start.addingTimeInterval(86_400 * 12.5)] {
            let id = ID.make(now: instant)
            #expect(ID.lowerBound(of: month.start).uuidString <= id.uuidString)
            #expect(id.uuidString < ID.lowerBound(of: month.adding(1).start).uuidString)
            #expect(ID.instant(of: id).map(Month.init(containing:)) == month)
        }
    }

    @Test func expiredMonthsGoWithTheirDeliveriesAttemptsKeysAndDeadLetters() async throws {
        try await withMigratedDatabase { database in
            let now = Date()
            let current = Month(containing: now)
            let old = current.adding(-14), kept = current.adding(-2)
            let account = try await makeAccountWithEndpoint(database, now: now)
            // Three events per month: 14 months ago (past a 12-month retention), 2 months ago, now.
            var eventsByMonth: [Month: [UUID]] = [:]
            for (month, instant) in [(old, old.start.addingTimeInterval(3600)), (kept, kept.start.addingTimeInterval(86_400 * 3)), (current, now)] {
                eventsByMonth[month] = try await publishWithAttempts(
                    database, accountId: account, keyPrefix: "m\(month.year)\(month.month)", at: instant)
            }
            let retention = EventRetention(database: database)
            // The old month's partitions (as a server running back then made them), then today's.
            _ = try await retention.prepare(monthsAhead: 0, retentionMonths: 12, now: old.start.addingTimeInterval(60))
            let created = try await retention.prepare(monthsAhead: 3, retentionMonths: 12, now: now)
            if database.dialect == .postgres {
                let months = try await retention.partitions(of: "integration_events").map(\.month)
                // Every month from the oldest waiting row within retention on, without gaps.
                #expect(months == [old] + (-2...3).map { current.adding($0) })
                #expect(created.count == 6 * 3)
                // Rows written before their month had a partition were moved into it.
                for table in ["integration_events", "webhook_deliveries", "webhook_delivery_attempts"] {
                    #expect(try await count(database, "SELECT COUNT(*) AS n FROM \(unsafeRaw: table)_default") == 0)
                    for (month, ids) in eventsByMonth {
                        let key = table == "integration_events" ? "id" : "event_id"
                        let homes = try await database.query(
                            """
                            SELECT DISTINCT tableoid::regclass::text AS home FROM \(ident: table) WHERE \(ident: key) IN (\(binds: ids))
                            """
                        ).map { try $0.decode(column: "home", as: String.self) }
                        #expect(homes == [table + "_p" + String(format: "%04d%02d", month.year, month.month)])
                    }
                }
                // Preparing again changes nothing.
                #expect(try await retention.prepare(monthsAhead: 3, retentionMonths: 12, now: now).isEmpty)
            } else {
                #expect(created.isEmpty)
            }

            let report = try await retention.expire(retentionMonths: 12, now: now)
            if database.dialect == .postgres {
                #expect(
                    Set(report.dropped)
                        == Set(
                            ["integration_events", "webhook_deliveries", "webhook_delivery_attempts"].map {
                                $0 + "_p" + String(format: "%04d%02d", old.year, old.month)
                            }))
            } else {
                // 3 events, 3 deliveries, 3 attempts.
                #expect(report.deleted >= 9)
            }
            let oldIds = eventsByMonth[old]!
            let keptIds = eventsByMonth[kept]! + eventsByMonth[current]!
            for (table, key) in [
                ("integration_events", "id"), ("webhook_deliveries", "event_id"), ("webhook_delivery_attempts", "event_id"),
                ("integration_event_keys", "event_id"), ("dead_letters", "event_id"),
            ] {
                #expect(
                    try await count(database, "SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: key) IN (\(binds: oldIds))") == 0,
                    "\(table) kept expired rows")
                #expect(
                    try await count(database, "SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: key) IN (\(binds: keptIds))")
                        == keptIds.count,
                    "\(table) lost rows within retention")
            }
            // An expired event's key is free again; a retained one still deduplicates.
            let publisher = IntegrationEventPublisher(database: database)
            let again = try await database.transaction { tx in
                try await publisher.publish(
                    accountId: account,
                    [
                        .init(key: "m\(old.year)\(old.month)-0", type: "order.created", source: "erp", payloadJSON: "{}"),
                        .init(key: "m\(kept.year)\(kept.month)-0", type: "order.created", source: "erp", payloadJSON: "{}"),
                    ],
                    now: now, in: tx)
            }
            #expect(again.count == 1)
            // A second run finds nothing left to remove.
            let second = try await retention.expire(retentionMonths: 12, now: now)
            #expect(second.dropped.isEmpty && second.deleted == 0)
        }
    }

    @Test func migrationTenKeepsEventsDeliveriesAttemptsAndDeadLetters() async throws {
        try await withMigratedDatabase(upTo: 9) { database in
            let now = Date()
            let account = try await makeAccountWithEndpoint(database, now: now)
            let endpoint: UUID = try await database.first("SELECT id FROM webhook_endpoints")!.decode(column: "id", as: UUID.self)
            let (eventId, deliveryId, attemptId) = (ID.make(now: now), ID.make(now: now), ID.make(now: now))
            try await database.execute(
                """
                INSERT INTO integration_events (id, account_id, event_key, event_type, source_system, payload, status, created_at, updated_at)
                VALUES (\(bind: eventId), \(bind: account), 'order-1', 'order.created', 'erp', \(json: #"{"total": 1234.56}"#), 'failed', \(bind: now), \(bind: now))
                """)
            try await database.execute(
                """
                INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, message_id, status, attempts, created_at, updated_at)
                VALUES (\(bind: deliveryId), \(bind: account), \(bind: endpoint), \(bind: eventId), 'msg_1', 'dead', 1, \(bind: now), \(bind: now))
                """)
            try await database.execute(
                """
                INSERT INTO webhook_delivery_attempts (id, delivery_id, attempt, requested_at, response_code) VALUES (\(bind: attemptId), \(bind: deliveryId), 1, \(bind: now), 500)
                """)
            try await database.execute(
                """
                INSERT INTO dead_letters (id, account_id, job_type, event_id, delivery_id, reason, created_at)
                VALUES (\(bind: ID.make()), \(bind: account), 'webhook.deliver', \(bind: eventId), \(bind: deliveryId), 'spent', \(bind: now))
                """)

            let expected = try FiscalMixSchema.history().versions.filter { $0 >= 10 }
            #expect(try await MigrationRunner(database: database, history: try FiscalMixSchema.history(), logger: logger).run() == expected)
            #expect(try await count(database, "SELECT COUNT(*) AS n FROM integration_events WHERE id = \(bind: eventId) AND status = 'failed'") == 1)
            #expect(try await count(database, "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE id = \(bind: deliveryId) AND status = 'dead'") == 1)
            #expect(
                try await count(
                    database, "SELECT COUNT(*) AS n FROM webhook_delivery_attempts WHERE id = \(bind: attemptId) AND event_id = \(bind: eventId)")
                    == 1)
            #expect(try await count(database, "SELECT COUNT(*) AS n FROM dead_letters WHERE delivery_id = \(bind: deliveryId)") == 1)
            // The key moved: the same key is still a duplicate.
            let publisher = IntegrationEventPublisher(database: database)
            let again = try await database.transaction { tx in
                try await publisher.publish(
                    accountId: account, [.init(key: "order-1", type: "order.created", source: "erp", payloadJSON: "{}")], now: now, in: tx)
            }
            #expect(again.isEmpty)
            #expect(try await IntegrationEventRepository(database: database).find(key: "order-1", accountId: account)?.id == eventId)
            if database.dialect == .postgres {
                #expect(try await count(database, "SELECT COUNT(*) AS n FROM pg_partitioned_table") == 3)
            }
        }
    }

    // MARK: - Helpers

    func withMigratedDatabase(upTo version: Int = .max, _ body: (Database) async throws -> Void) async throws {
        try await TestDatabase.with(
            migrations: try MigrationHistory(try FiscalMixSchema.history().migrations.filter { $0.version <= version }), logger: logger, body)
    }

    func makeAccountWithEndpoint(_ database: Database, now: Date) async throws -> UUID {
        try await WebhookFixtures.account(database, endpoints: ["erp"], now: now).account
    }

    /// Publishes three events at `instant` (a delivery each to the account's endpoint), records an
    /// attempt on each delivery and dead-letters it; returns the event ids.
    func publishWithAttempts(_ database: Database, accountId: UUID, keyPrefix: String, at instant: Date) async throws -> [UUID] {
        let publisher = IntegrationEventPublisher(database: database)
        let deliveries = WebhookDeliveryRepository(database: database)
        let events = try await database.transaction { tx in
            try await publisher.publish(
                accountId: accountId,
                (0..<3).map {
                    .init(key: "\(keyPrefix)-\($0)", type: "order.created", source: "erp", payloadJSON: #"{"n": \#($0)}"#)
                }, now: instant, in: tx)
        }
        #expect(events.count == 3)
        for event in events {
            let page = try await deliveries.list(accountId: accountId, .init(eventId: event.id), page: PageRequest(limit: 10))
            var delivery = try #require(page.items.first)
            let jobId = try #require(delivery.jobId)
            delivery.status = .dead
            delivery.attempts = 1
            let attempt = WebhookDeliveryAttempt(
                id: ID.make(now: instant), deliveryId: delivery.id, attempt: 1, requestedAt: instant,
                latencyMs: 12, responseCode: 500, responseExcerpt: "boom", error: nil)
            let recorded = try await database.transaction { [delivery] tx in
                try await deliveries.record(
                    [.init(delivery: delivery, attempt: attempt, jobId: jobId, deadLetterReason: "spent")], now: instant, in: tx)
            }
            #expect(recorded == [.init(deliveryId: delivery.id, jobId: jobId)])
        }
        return events.map(\.id)
    }

    func count(_ database: Database, _ sql: SQLQueryString) async throws -> Int {
        try await database.first(sql)!.decode(column: "n", as: Int.self)
    }
}
