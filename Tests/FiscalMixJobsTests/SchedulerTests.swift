import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

@Suite struct SchedulerTests {
    @Test func eachTickFiresExactlyOnceAcrossFourSchedulers() async throws {
        try await withJobsDatabase { database in
            let clock = TestClock(RFC3339.date(from: "2026-11-23T10:00:30Z")!)
            let schedulers = (0..<4).map { _ in JobScheduler(database: database, clock: clock, logger: Logger(label: "s")) }
            let schedule = try await schedulers[0].define(name: "dfe-sync", cron: "* * * * *", jobType: "sync.dfe")
            var fired: [UUID] = []
            for _ in 0..<5 {
                clock.advance(by: 60)
                fired += try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for scheduler in schedulers { group.addTask { try await scheduler.tick() } }
                    return try await group.reduce(into: [UUID]()) { $0 += $1 }
                }
            }
            #expect(fired.count == 5)
            let ticks = try await ScheduleRepository(database: database).ticks(scheduleId: schedule.id)
            #expect(ticks == (1...5).map { RFC3339.date(from: "2026-11-23T10:0\($0):00Z")! })
            let jobs = try await database.query("SELECT COUNT(*) AS n FROM jobs WHERE type = 'sync.dfe'")
            #expect(try jobs.first?.decode(column: "n", as: Int.self) == 5)
        }
    }

    @Test func afterDowntimeSkipDropsMissedTicksAndRunOnceFiresOne() async throws {
        try await withJobsDatabase { database in
            let clock = TestClock(RFC3339.date(from: "2026-11-23T10:00:30Z")!)
            let scheduler = JobScheduler(database: database, clock: clock, logger: Logger(label: "s"))
            _ = try await scheduler.define(name: "skipper", cron: "0 * * * *", jobType: "a", catchUp: .skip)
            _ = try await scheduler.define(name: "catcher", cron: "0 * * * *", jobType: "b", catchUp: .runOnce)
            clock.advance(by: 5 * 3600)  // down from 10:00 to 15:00:30; ticks 11…15 were missed
            let fired = try await scheduler.tick()
            #expect(fired.count == 1)
            let types = try await database.query("SELECT type FROM jobs").map { try $0.decode(column: "type", as: String.self) }
            #expect(types == ["b"])
            // Both resume at the next future tick.
            let next = try await database.query("SELECT next_run_at FROM schedules").map { try $0.decode(column: "next_run_at", as: Date.self) }
            #expect(next.allSatisfy { $0 == RFC3339.date(from: "2026-11-23T16:00:00Z")! })
            clock.advance(by: 3600)
            #expect(try await scheduler.tick().count == 2)
        }
    }

    @Test func badSchedulesAreRefused() async throws {
        try await withJobsDatabase { database in
            let scheduler = JobScheduler(database: database, clock: SystemWallClock(), logger: Logger(label: "s"))
            await #expect(throws: FiscalMixError.self) { try await scheduler.define(name: "x", cron: "61 * * * *", jobType: "t") }
            await #expect(throws: FiscalMixError.self) {
                try await scheduler.define(name: "x", cron: "0 * * * *", timeZone: "Mars/Olympus", jobType: "t")
            }
        }
    }
}
