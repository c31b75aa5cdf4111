import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixIdentity

/// Request-log batches are written whole, every column as given (none, some or all of the
/// optional ones), and a request id repeated for an account keeps its first row.
@Suite struct RequestLogRepositoryTests {
    @Test func aBatchKeepsEveryColumnAndTheFirstRowOfARepeatedRequestId() async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "request-logs")) { database in
            let now = Date()
            let account = ID.make()
            try await database.execute(
                """
                INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: account), \(bind: "Acme \(account)"), \(bind: now), \(bind: now))
                """)
            let full = RequestLogEntry(
                id: ID.make(now: now), accountId: account, requestId: "req-1", traceId: "trace-1", actorType: "api_key",
                actorId: "key-1", direction: "inbound", method: "POST", path: "/v1/events", operation: "events.create",
                status: "ok", httpStatus: 201, latencyMs: 12, retryCount: 2, idempotencyKey: "idem-1", ip: "10.0.0.1",
                createdAt: now)
            let bare = RequestLogEntry(
                id: ID.make(now: now.addingTimeInterval(1)), accountId: account, requestId: "req-2", traceId: nil,
                actorType: nil, actorId: nil, direction: "outbound", method: nil, path: nil, operation: "webhook.deliver",
                status: "failed", httpStatus: nil, latencyMs: 0, idempotencyKey: nil, ip: nil,
                createdAt: now.addingTimeInterval(1))
            var repeated = full
            repeated.id = ID.make(now: now.addingTimeInterval(2))
            repeated.path = "/v1/other"
            let repository = RequestLogRepository(database: database)
            try await repository.insert([full, bare, repeated])
            let stored = try await repository.list(accountId: account, page: PageRequest(limit: 10)).items
            #expect(stored.count == 2)
            for entry in [full, bare] {
                // Times as each database keeps them (SQLite to the millisecond).
                var found = try #require(stored.first { $0.id == entry.id })
                #expect(abs(found.createdAt.timeIntervalSince(entry.createdAt)) < 0.001)
                found.createdAt = entry.createdAt
                #expect(found == entry)
            }
        }
    }
}
