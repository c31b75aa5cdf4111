import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import PostgresNIO
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

/// The job pass runs with one generic plan per hot-path connection (PostgreSQL), made from
/// whatever the statistics say when the connection first needs it; every access it makes to a
/// table must use an index condition, whatever they say.
@Suite struct JobPassPlanTests {
    /// The generic plan the hot-path connections make for the pass, as EXPLAIN prints it.
    func genericPassPlan(_ driver: PostgresDriver) async throws -> [String] {
        try await driver.onHotPathConnection { connection in
            _ = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        PREPARE pass_plan_probe(timestamptz, uuid[], uuid[], text, timestamptz, text, int8, uuid[]) AS \(JobPassStatement.sql)
                        """), logger: Logger(label: "plan-test")
            ).collect()
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        EXPLAIN EXECUTE pass_plan_probe(now(), ARRAY[gen_random_uuid()], ARRAY[gen_random_uuid()], 'w', now(), 'default', 100,
                                                        ARRAY[gen_random_uuid()])
                        """), logger: Logger(label: "plan-test")
            ).collect()
            _ = try await connection.query("DEALLOCATE pass_plan_probe", logger: Logger(label: "plan-test")).collect()
            return try rows.map { try $0.decode(String.self) }
        }
    }

    @Test func theGenericPassPlanUsesAnIndexConditionForEveryTableEmptyOrFull() async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "plan-test")) { database in
            guard let driver = database.driver as? PostgresDriver else { return }
            // A table never analyzed, then analyzed while empty: the statistics of a first start.
            let unanalyzed = try await genericPassPlan(driver)
            #expect(QueryPlan.problems(unanalyzed).isEmpty, "\(unanalyzed.joined(separator: "\n"))")
            try await database.execute("ANALYZE jobs")
            try await database.execute("ANALYZE job_runs")
            let empty = try await genericPassPlan(driver)
            #expect(QueryPlan.problems(empty).isEmpty, "\(empty.joined(separator: "\n"))")
            // Thousands queued (with none running, a generic plan once read the partial lease
            // index here), then a thousand of them running, with their runs.
            let repository = JobRepository(database: database)
            try await repository.enqueueBatch((0..<5_000).map { NewJob(type: "noop", payload: #"{"i":\#($0)}"#) }, now: Date())
            try await database.execute("ANALYZE jobs")
            let queuedOnly = try await genericPassPlan(driver)
            #expect(QueryPlan.problems(queuedOnly).isEmpty, "\(queuedOnly.joined(separator: "\n"))")
            let claimed = try await repository.claim(
                queue: "default", worker: "w", limit: 1_000, now: Date(),
                leaseUntil: Date().addingTimeInterval(60))
            #expect(claimed.count == 1_000)
            try await database.execute("ANALYZE jobs")
            try await database.execute("ANALYZE job_runs")
            let full = try await genericPassPlan(driver)
            #expect(QueryPlan.problems(full).isEmpty, "\(full.joined(separator: "\n"))")
            #expect(full.contains { $0.contains("Index Scan using idx_jobs_claim") }, "\(full.joined(separator: "\n"))")
            #expect(full.contains { $0.contains("jobs_pkey") }, "\(full.joined(separator: "\n"))")
            // The ordinary connections keep PostgreSQL's defaults.
            #expect(try await database.first("SHOW enable_seqscan")?.decode(column: "enable_seqscan", as: String.self) == "on")
        }
    }
}
