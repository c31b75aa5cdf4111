import FiscalMixCore
import FiscalMixJobs
import FiscalMixStorage
import Foundation

/// Job types every FiscalMix process can run. Feature issues add theirs (DF-e sync, webhook
/// deliveries, exports) to the same registry.
enum BuiltInJobs {
    static let prune = "maintenance.prune"

    static func registry(database: Database, clock: any WallClock) -> JobRegistry {
        JobRegistry([
            // Forgets what has no use past its window: login attempts older than a day (the
            // throttle looks back 15 minutes) and expired idempotency keys.
            JobDefinition(type: prune, maxAttempts: 3, timeout: .seconds(120)) { _ in
                let now = clock.now()
                try await LoginAttemptRepository(database: database).prune(before: now.addingTimeInterval(-86_400))
                try await IdempotencyRepository(database: database).prune(now: now)
            },
        ])
    }

    /// Until recurring schedules land, each process asks for one prune per hour; the idempotency
    /// key makes every process ask for the same one.
    static func enqueueHousekeeping(_ queue: JobQueue, now: Date) async throws {
        let hour = Int(now.timeIntervalSince1970 / 3600)
        try await queue.enqueue(NewJob(type: prune, idempotencyKey: "prune:\(hour)"))
    }
}
