public import Foundation

/// A recurring job: every tick of `cron` (in `timeZone`) enqueues one `jobType` job. Each tick
/// fires exactly once however many scheduler processes run (a unique (schedule, tick) row).
/// After downtime, `catchUp` says whether missed ticks are skipped or run once.
public struct Schedule: Sendable, Codable, Equatable {
    public enum CatchUp: String, Sendable, Codable { case skip, runOnce = "run_once" }

    public var id: UUID
    public var accountId: UUID?
    public var name: String
    public var cron: String
    public var timeZone: String
    public var jobType: String
    public var queue: String
    public var payload: String
    public var catchUp: CatchUp
    public var enabled: Bool
    public var nextRunAt: Date
    public var lastTickAt: Date?

    public init(
        id: UUID, accountId: UUID?, name: String, cron: String, timeZone: String, jobType: String, queue: String, payload: String,
        catchUp: CatchUp, enabled: Bool, nextRunAt: Date, lastTickAt: Date?
    ) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.jobType = jobType
        self.queue = queue
        self.payload = payload
        self.catchUp = catchUp
        self.enabled = enabled
        self.nextRunAt = nextRunAt
        self.lastTickAt = lastTickAt
    }
}
