import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

/// Four `fiscalmix worker` processes, each running the scheduler, race for the same due ticks:
/// every tick becomes exactly one job.
@Suite struct SchedulerProcessTests {
    @Test
    func fourSchedulerProcessesFireEachTickOnce() async throws {
        let test = try await TestDatabase.make()
        let configuration = try testConfiguration(database: test)
        let runtime = try await FiscalMixRuntime.start(configuration, logger: Logger(label: "scheduler-test"))
        let database = runtime.database
        var schedules: [Schedule] = []
        for i in 0..<25 {
            // Queue "parked" has no worker, so the jobs stay put to be counted.
            schedules.append(
                try await runtime.scheduler.define(
                    name: "probe-\(i)", cron: "* * * * *", jobType: "probe.tick", queue: "parked",
                    catchUp: .runOnce))
        }
        // Every schedule is overdue: each process finds all 25 due in its first pass.
        let overdue = Date().addingTimeInterval(-600)
        try await database.execute("UPDATE schedules SET next_run_at = \(bind: overdue) WHERE job_type = 'probe.tick'")

        let processes = try (0..<4).map { _ in try WorkerProcess.launch(configuration) }
        defer { for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var pending = 25
        for _ in 0..<300 where pending > 0 {
            try await Task.sleep(for: .milliseconds(50))
            let row = try await database.first(
                """
                SELECT COUNT(*) AS n FROM schedules WHERE job_type = 'probe.tick' AND next_run_at <= \(bind: Date())
                """)
            pending = try row?.decode(column: "n", as: Int.self) ?? 0
        }
        #expect(pending == 0, "every schedule advanced")
        try await Task.sleep(for: .milliseconds(1500))  // a few more scheduler passes in every process
        for p in processes { kill(p.processIdentifier, SIGTERM) }
        for p in processes { await WorkerProcess.exit(of: p) }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "graceful exit on SIGTERM")

        var totalJobs = 0
        for schedule in schedules {
            let ticks = try await ScheduleRepository(database: database).ticks(scheduleId: schedule.id)
            let jobs = try await database.query(
                """
                SELECT id FROM jobs WHERE idempotency_key LIKE \(bind: "schedule:\(schedule.id.lowercased):%")
                """)
            // One tick (two if a minute boundary passed during the test), one job per tick.
            #expect((1...2).contains(ticks.count) && jobs.count == ticks.count, "schedule \(schedule.name)")
            totalJobs += jobs.count
        }
        let all = try await database.first("SELECT COUNT(*) AS n FROM jobs WHERE type = 'probe.tick'")
        #expect(try all?.decode(column: "n", as: Int.self) == totalJobs)
        #expect(totalJobs >= 25)
        // The built-in schedules (maintenance.prune, certificates.expire, fiscal.sync.dispatch,
        // events.settle), defined by all four at start, exist once each.
        let housekeeping = try await database.first("SELECT COUNT(*) AS n, COUNT(DISTINCT name) AS d FROM schedules WHERE job_type <> 'probe.tick'")
        #expect(try housekeeping?.decode(column: "n", as: Int.self) == 5)
        #expect(try housekeeping?.decode(column: "d", as: Int.self) == 5)
        try await database.shutdown()
        await test.remove()
    }
}
