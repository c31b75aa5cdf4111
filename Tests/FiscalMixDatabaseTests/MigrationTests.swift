import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase

/// Every table of the five seeds, under the name it has here (docs/data-model.md maps them).
let expectedTables: Set<String> = [
    "schema_migrations",
    // identity and access (seeds 001, 002, 003, 004)
    "accounts", "users", "user_recovery_codes", "account_invites", "sessions", "api_keys", "login_attempts", "rate_limits",
    "audit_logs", "idempotency_keys", "event_logs",
    // secrets, connectors, pipelines (seeds 000, 002, 003)
    "sync_cursors", "sealed_secrets", "secret_refs", "policies", "connectors", "connector_tokens", "request_logs", "processes", "process_versions",
    "process_output_destinations",
    // jobs (seeds 001, 002, 003)
    "jobs", "job_runs", "schedules", "schedule_ticks", "submissions",
    // events and webhooks (seeds 001, 002)
    "event_types", "integration_events", "event_mappings", "webhook_endpoints", "webhook_deliveries", "webhook_delivery_attempts",
    "dead_letters", "webhook_inbox", "inbox_providers", "integration_event_keys",
    // fiscal (seed 004)
    "companies", "company_user_permissions", "certificates", "connector_configs", "sync_runs", "fiscal_documents", "fiscal_events",
    "export_jobs",
    // outbound token buckets shared by server processes (not a seed table)
    "rate_limit_buckets",
]

@Suite struct MigrationTests {
    let logger = Logger(label: "test")

    func withDatabase(_ body: (Database) async throws -> Void) async throws {
        try await TestDatabase.with(logger: logger, body)
    }

    @Test func migratesFromEmptyAndAgainIsANoOp() async throws {
        try await withDatabase { database in
            let history = try FiscalMixSchema.history()
            let runner = MigrationRunner(database: database, history: history, logger: logger)
            let first = try await runner.run()
            #expect(first == history.versions)
            let second = try await runner.run()
            #expect(second.isEmpty)
            #expect(try await runner.appliedVersions() == history.versions)
            #expect(try await database.tableNames() == expectedTables)
        }
    }

    @Test func concurrentRunnersApplyEachStepOnce() async throws {
        try await withDatabase { database in
            let logger = self.logger
            let history = try FiscalMixSchema.history()
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await MigrationRunner(database: database, history: history, logger: logger).run() } }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == history.versions)
        }
    }

    @Test func statusChecksForeignKeysAndJSONAreEnforced() async throws {
        try await withDatabase { database in
            try await MigrationRunner(database: database, history: try FiscalMixSchema.history(), logger: logger).run()
            let accountId = ID.make()
            let now = Date()
            try await database.execute(
                """
                INSERT INTO accounts (id, name, plan, env, status, time_zone, created_at, updated_at)
                VALUES (\(bind: accountId), 'Acme', 'free', 'production', 'active', 'UTC', \(bind: now), \(bind: now))
                """)
            // A status outside the seed's domain is refused.
            await #expect(throws: (any Error).self) {
                try await database.execute("UPDATE accounts SET status = 'disabled' WHERE id = \(bind: accountId)")
            }
            // A unique name is unique, and the driver reports it as such.
            do {
                try await database.execute(
                    """
                    INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: ID.make()), 'Acme', \(bind: now), \(bind: now))
                    """)
                Issue.record("duplicate name accepted")
            } catch {
                #expect(database.isUniqueViolation(error))
            }
            // A user of a missing account is refused (foreign key).
            await #expect(throws: (any Error).self) {
                try await database.execute(
                    """
                    INSERT INTO users (id, account_id, name, email, password_hash, created_at, updated_at)
                    VALUES (\(bind: ID.make()), \(bind: ID.make()), 'x', 'x@example.com', 'h', \(bind: now), \(bind: now))
                    """)
            }
            // JSON columns accept JSON only.
            await #expect(throws: (any Error).self) {
                try await database.execute(
                    """
                    INSERT INTO event_logs (id, account_id, severity, type, message, data, created_at)
                    VALUES (\(bind: ID.make()), \(bind: accountId), 'info', 't', 'm', \(json: "{not json"), \(bind: now))
                    """)
            }
            try await database.execute(
                """
                INSERT INTO event_logs (id, account_id, severity, type, message, data, created_at)
                VALUES (\(bind: ID.make()), \(bind: accountId), 'info', 't', 'm', \(json: #"{"amount": 1234.56}"#), \(bind: now))
                """)
            // ON DELETE CASCADE from accounts.
            try await database.execute(
                """
                INSERT INTO users (id, account_id, name, email, password_hash, created_at, updated_at)
                VALUES (\(bind: ID.make()), \(bind: accountId), 'x', 'x@example.com', 'h', \(bind: now), \(bind: now))
                """)
            try await database.execute("DELETE FROM accounts WHERE id = \(bind: accountId)")
            let left = try await database.first("SELECT COUNT(*) AS n FROM users")
            #expect(try left?.decode(column: "n", as: Int.self) == 0)
        }
    }

    @Test func sqliteRunsInWALModeWithABusyTimeout() async throws {
        try await withDatabase { database in
            guard database.dialect == .sqlite else { return }
            let mode = try await database.first("PRAGMA journal_mode")
            #expect(try mode?.decode(column: "journal_mode", as: String.self) == "wal")
            let timeout = try await database.first("PRAGMA busy_timeout")
            #expect(try (timeout?.decode(column: "timeout", as: Int.self) ?? 0) >= 5000)
            let fk = try await database.first("PRAGMA foreign_keys")
            #expect(try fk?.decode(column: "foreign_keys", as: Int.self) == 1)
        }
    }
}
