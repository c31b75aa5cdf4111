import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import PostgresNIO
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixWebhooks

/// The delivery worker's read runs with one generic plan per hot-path connection (PostgreSQL);
/// every table access in it must have an index condition whatever the statistics say, and it
/// reads what the plain query reads.
@Suite struct WebhookWorkPlanTests {
    func genericWorkPlan(_ driver: PostgresDriver) async throws -> [String] {
        try await driver.onHotPathConnection { connection in
            let logger = Logger(label: "plan-test")
            _ = try await connection.query(
                PostgresQuery(unsafeSQL: "PREPARE work_plan_probe(uuid[], uuid[]) AS \(WebhookWorkStatement.sql)"),
                logger: logger
            ).collect()
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        EXPLAIN EXECUTE work_plan_probe(ARRAY[gen_random_uuid()], ARRAY[gen_random_uuid()])
                        """), logger: logger
            ).collect()
            _ = try await connection.query("DEALLOCATE work_plan_probe", logger: logger).collect()
            return try rows.map { try $0.decode(String.self) }
        }
    }

    @Test func theGenericWorkPlanUsesAnIndexConditionForEveryTableEmptyOrFull() async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "plan-test")) { database in
            guard let driver = database.driver as? PostgresDriver else { return }
            let empty = try await genericWorkPlan(driver)
            #expect(QueryPlan.problems(empty).isEmpty, "\(empty.joined(separator: "\n"))")

            let now = Date()
            let (account, endpoints) = try await WebhookFixtures.account(database, endpoints: ["erp", "crm", "bi"], now: now)
            let events = try await database.transaction { tx in
                try await IntegrationEventPublisher(database: database).publish(
                    accountId: account,
                    (0..<2_000).map {
                        .init(key: "k\($0)", type: "order.created", source: "erp", payloadJSON: #"{"n":\#($0),"tags":["a","b"]}"#)
                    }, now: now, in: tx)
            }
            for table in ["webhook_deliveries", "integration_events", "webhook_endpoints", "event_mappings"] {
                try await database.execute("ANALYZE \(unsafeRaw: table)")
            }
            let full = try await genericWorkPlan(driver)
            #expect(QueryPlan.problems(full).isEmpty, "\(full.joined(separator: "\n"))")

            // The prepared read and the plain one find the same work.
            let deliveries = try await WebhookDeliveryRepository(database: database).list(
                accountId: account, .init(eventId: events[7].id), page: PageRequest(limit: 10)
            ).items
            #expect(deliveries.count == endpoints.count)
            let repository = WebhookDeliveryRepository(database: database)
            let prepared = try await repository.work(deliveries.map { .init(deliveryId: $0.id, eventId: $0.eventId) })
            let plain = try await repository.work(deliveries.map { .init(deliveryId: $0.id, eventId: nil) })
            #expect(prepared.count == endpoints.count && plain.count == endpoints.count)
            for (id, work) in prepared {
                let other = try #require(plain[id])
                #expect(work.delivery == other.delivery && work.endpoint == other.endpoint && work.event == other.event)
                #expect(work.event.payloadJSON == other.event.payloadJSON)
            }
        }
    }
}
