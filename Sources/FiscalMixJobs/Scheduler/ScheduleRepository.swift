public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

public struct ScheduleRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Creates a schedule, or updates the one with the same account and name. Processes that
    /// start together define the same built-in schedules at once: the loser of the insert race
    /// retries and updates the winner's row.
    public func upsert(_ s: Schedule, now: Date) async throws {
        do {
            try await upsertOnce(s, now: now)
        } catch  where database.driver.isUniqueViolation(error) {
            try await upsertOnce(s, now: now)
        }
    }

    func upsertOnce(_ s: Schedule, now: Date) async throws {
        try await database.transaction { tx in
            var find: SQLQueryString = "SELECT id FROM schedules WHERE name = \(bind: s.name)"
            if let accountId = s.accountId { find += " AND account_id = \(bind: accountId)" } else { find += " AND account_id IS NULL" }
            if let existing = try await tx.first(find) {
                let id: UUID = try existing.decode(column: "id", as: UUID.self)
                try await tx.execute(
                    """
                    UPDATE schedules SET cron = \(bind: s.cron), time_zone = \(bind: s.timeZone), job_type = \(bind: s.jobType),
                           queue = \(bind: s.queue), payload = \(json: s.payload), catch_up = \(bind: s.catchUp.rawValue),
                           enabled = \(bind: s.enabled), next_run_at = \(bind: s.nextRunAt), updated_at = \(bind: now)
                    WHERE id = \(bind: id)
                    """)
            } else {
                try await tx.execute(
                    """
                    INSERT INTO schedules (id, account_id, name, cron, time_zone, job_type, queue, payload, catch_up, enabled, next_run_at,
                                           created_at, updated_at)
                    VALUES (\(bind: s.id), \(bind: s.accountId), \(bind: s.name), \(bind: s.cron), \(bind: s.timeZone), \(bind: s.jobType),
                            \(bind: s.queue), \(json: s.payload), \(bind: s.catchUp.rawValue), \(bind: s.enabled), \(bind: s.nextRunAt),
                            \(bind: now), \(bind: now))
                    """)
            }
        }
    }

    public func due(now: Date, limit: Int = 100) async throws -> [Schedule] {
        try await database.query(
            """
            SELECT * FROM schedules WHERE enabled = \(bind: true) AND next_run_at <= \(bind: now) ORDER BY next_run_at LIMIT \(bind: limit)
            """
        ).map(Self.decode)
    }

    /// Fires `tick` of `schedule` once: the first caller inserts the tick row and enqueues the
    /// job; later callers (other processes) find the row and do nothing. Every caller moves the
    /// schedule to `nextRunAt`. Returns the job id when this call fired the tick.
    public func fire(_ schedule: Schedule, tick: Date?, nextRunAt: Date, now: Date) async throws -> UUID? {
        try await database.transaction { tx in
            var fired: UUID?
            if let tick {
                let inserted = try await tx.query(
                    """
                    INSERT INTO schedule_ticks (schedule_id, tick_at, created_at) VALUES (\(bind: schedule.id), \(bind: tick), \(bind: now))
                    ON CONFLICT DO NOTHING RETURNING schedule_id
                    """)
                if !inserted.isEmpty {
                    let jobId = ID.make(now: now)
                    try await tx.execute(
                        """
                        INSERT INTO jobs (id, account_id, type, queue, status, priority, attempts, max_attempts, run_at, payload,
                                          idempotency_key, correlation_id, created_at, updated_at)
                        VALUES (\(bind: jobId), \(bind: schedule.accountId), \(bind: schedule.jobType), \(bind: schedule.queue), 'queued', 0, 0, 5,
                                \(bind: now), \(json: schedule.payload), \(bind: "schedule:\(schedule.id.lowercased):\(Int(tick.timeIntervalSince1970))"),
                                \(bind: "schedule:\(schedule.name)"), \(bind: now), \(bind: now))
                        ON CONFLICT DO NOTHING
                        """)
                    try await tx.execute(
                        """
                        UPDATE schedule_ticks SET job_id = \(bind: jobId) WHERE schedule_id = \(bind: schedule.id) AND tick_at = \(bind: tick)
                        """)
                    fired = jobId
                }
            }
            try await tx.execute(
                """
                UPDATE schedules SET next_run_at = \(bind: nextRunAt), last_tick_at = \(bind: tick ?? schedule.lastTickAt), updated_at = \(bind: now)
                WHERE id = \(bind: schedule.id) AND next_run_at < \(bind: nextRunAt)
                """)
            return fired
        }
    }

    public func ticks(scheduleId: UUID) async throws -> [Date] {
        try await database.query("SELECT tick_at FROM schedule_ticks WHERE schedule_id = \(bind: scheduleId) ORDER BY tick_at")
            .map { try $0.decode(column: "tick_at", as: Date.self) }
    }

    static func decode(_ row: any SQLRow) throws -> Schedule {
        Schedule(
            id: try row.get("id"), accountId: try row.get("account_id"), name: try row.get("name"), cron: try row.get("cron"),
            timeZone: try row.get("time_zone"), jobType: try row.get("job_type"), queue: try row.get("queue"),
            payload: try row.get("payload"), catchUp: try row.enumValue("catch_up"), enabled: try row.get("enabled"),
            nextRunAt: try row.get("next_run_at"), lastTickAt: try row.get("last_tick_at"))
    }
}
