import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import PostgresNIO
import SQLKit
import Testing

@testable import FiscalMixDatabase

/// The job pass's connections live outside the pool (PostgreSQL): they must be reused between
/// passes, come back with their planner settings, and be replaced when the server drops one.
@Suite struct HotPathConnectionsTests {
    func backend(_ driver: PostgresDriver) async throws -> (pid: Int32, planCacheMode: String) {
        try await driver.onHotPathConnection { connection in
            let rows = try await connection.query(
                "SELECT pg_backend_pid(), current_setting('plan_cache_mode')",
                logger: Logger(label: "hot-path-test")
            ).collect()
            return try rows[0].decode((Int32, String).self)
        }
    }

    @Test func aConnectionIsReusedAndOneTheServerDroppedIsReplaced() async throws {
        try await TestDatabase.with(migrations: try FiscalMixSchema.history(), logger: Logger(label: "hot-path-test")) { database in
            guard let driver = database.driver as? PostgresDriver else { return }
            let first = try await backend(driver)
            #expect(first.planCacheMode == "force_generic_plan")
            // One caller at a time: the same connection each time, no new backend per pass.
            #expect(try await backend(driver).pid == first.pid)

            // The server ends that backend (a restart, an administrator, a network cut).
            _ = try await database.query("SELECT pg_terminate_backend(\(bind: Int(first.pid))::int4)")
            // A caller may meet the dead connection once (as a pass would, and its worker runs
            // the pass again); after that a new backend answers, with the same settings.
            var replaced: (pid: Int32, planCacheMode: String)?
            for _ in 0..<3 where replaced == nil {
                replaced = try? await backend(driver)
                if replaced == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let after = try #require(replaced, "no hot-path connection after the server dropped one")
            #expect(after.pid != first.pid)
            #expect(after.planCacheMode == "force_generic_plan")
        }
    }
}
