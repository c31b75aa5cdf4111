public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
public import Logging
public import ServiceLifecycle

/// Turns schedule ticks into jobs. Any number of processes may run it: the tick row makes each
/// tick fire once. A tick found more than `grace` late counts as missed (the process was down):
/// `skip` drops missed ticks, `run_once` fires one job for them.
public struct JobScheduler: Service {
    let repository: ScheduleRepository
    let clock: any WallClock
    let logger: Logger
    let interval: Duration
    let grace: TimeInterval
    let metrics: JobMetrics

    public init(
        database: Database, clock: any WallClock, logger: Logger, interval: Duration = .seconds(1), grace: TimeInterval = 60,
        metrics: JobMetrics = JobMetrics()
    ) {
        repository = ScheduleRepository(database: database)
        self.clock = clock
        self.logger = logger
        self.interval = interval
        self.grace = grace
        self.metrics = metrics
    }

    /// Creates or updates a schedule, computing its first tick.
    public func define(
        name: String, cron: String, timeZone: String = "UTC", jobType: String, queue: String = "default",
        payload: String = "{}", catchUp: Schedule.CatchUp = .skip, accountId: UUID? = nil
    ) async throws -> Schedule {
        let expression = try CronExpression(cron)
        guard let zone = TimeZone(identifier: timeZone) else { throw FiscalMixError.validation("timeZone", "Unknown time zone '\(timeZone)'.") }
        let now = clock.now()
        guard let first = expression.next(after: now, in: zone) else { throw FiscalMixError.validation("cron", "This schedule never fires.") }
        let schedule = Schedule(
            id: ID.make(now: now), accountId: accountId, name: name, cron: cron, timeZone: timeZone, jobType: jobType,
            queue: queue, payload: payload, catchUp: catchUp, enabled: true, nextRunAt: first, lastTickAt: nil)
        try await repository.upsert(schedule, now: now)
        return schedule
    }

    /// One pass over due schedules; returns the ids of the jobs this pass enqueued.
    @discardableResult
    public func tick() async throws -> [UUID] {
        let now = clock.now()
        var fired: [UUID] = []
        for schedule in try await repository.due(now: now) {
            guard let expression = try? CronExpression(schedule.cron), let zone = TimeZone(identifier: schedule.timeZone) else {
                logger.error("schedule has an invalid cron or time zone", metadata: ["schedule": "\(schedule.name)"])
                continue
            }
            // The latest tick at or before now, and the first one after it.
            var latest = schedule.nextRunAt
            var missed = 0
            while let next = expression.next(after: latest, in: zone), next <= now {
                latest = next
                missed += 1
            }
            guard let following = expression.next(after: latest, in: zone) else { continue }
            let late = now.timeIntervalSince(schedule.nextRunAt) > grace || missed > 0
            let tick: Date? = (late && schedule.catchUp == .skip) ? nil : latest
            if let jobId = try await repository.fire(schedule, tick: tick, nextRunAt: following, now: now) {
                fired.append(jobId)
                metrics.count(JobMetrics.enqueued, type: schedule.jobType)
            }
            if tick == nil {
                logger.notice("skipped missed schedule ticks", metadata: ["schedule": "\(schedule.name)", "missed": "\(missed + 1)"])
            }
        }
        return fired
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await tick() } catch {
                logger.error("scheduler pass failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
