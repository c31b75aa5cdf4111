import FiscalMixCore
import FiscalMixDatabase
import FiscalMixFiscal
import FiscalMixHTTPEdge
import FiscalMixIdentity
import FiscalMixJSON
import FiscalMixJobs
import FiscalMixWebhooks
import Foundation

/// Job types every FiscalMix process can run. Feature issues add theirs (DF-e sync, webhook
/// deliveries, exports) to the same registry.
enum BuiltInJobs {
    static let prune = "maintenance.prune"
    static let sleep = "diagnostics.sleep"
    static let expireCertificates = "certificates.expire"
    static let settleEvents = "events.settle"
    static let retainEvents = "events.retention"

    static func registry(database: Database, configuration: AppConfiguration, clock: any WallClock) -> JobRegistry {
        JobRegistry([
            // Forgets what has no use past its window: login attempts older than a day (the
            // throttle looks back 15 minutes), expired idempotency keys, API request counts of
            // windows over an hour old.
            JobDefinition(type: prune, maxAttempts: 3, timeout: .seconds(120)) { _ in
                let now = clock.now()
                try await IdentityMaintenance(database: database).prune(now: now)
                try await IdempotencyRepository(database: database).prune(now: now)
                try await SQLRequestCounter(database: database).prune(before: now.addingTimeInterval(-3600))
            },
            // Events whose last two deliveries ended at the same instant (each saw the other
            // pending) are settled here, a minute later at most.
            JobDefinition(type: settleEvents, maxAttempts: 3, timeout: .seconds(120)) { _ in
                try await EventSettlement(database: database).settleStale(now: clock.now())
            },
            // Daily: event partitions for the months ahead (PostgreSQL), and events with their
            // deliveries and attempts past the retention removed (a month at once on PostgreSQL).
            JobDefinition(type: retainEvents, maxAttempts: 3, timeout: .seconds(1800)) { _ in
                _ = try await EventRetention(database: database).maintain(
                    retentionMonths: configuration.eventRetentionMonths,
                    monthsAhead: configuration.eventPartitionsAhead, now: clock.now())
            },
            // Active certificates past their end become `expired` (daily), so lists and the sync
            // stop offering them.
            JobDefinition(type: expireCertificates, maxAttempts: 3, timeout: .seconds(120)) { _ in
                try await CertificateMaintenance(database: database).expireLapsed(now: clock.now())
            },
            // Holds a worker slot for `{"seconds": n}` (at most an hour): a probe for checking that
            // workers run, drain and recover, used by the crash-recovery test.
            JobDefinition(type: sleep, maxAttempts: 3, timeout: .seconds(3700)) { context in
                let seconds = (context.payload.flatMap { try? JSON(parsing: $0) }?["seconds"]?.numberValue?.doubleValue) ?? 1
                guard (0...3600).contains(seconds) else { throw JobFailure.doNotRetry(message: "seconds must be 0 to 3600") }
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            },
        ])
    }

    /// The housekeeping schedule every deployment has (hourly, at minute 17). Defining it at each
    /// start is an upsert, so many processes agree on one schedule.
    static func defineHousekeeping(_ scheduler: JobScheduler) async throws {
        _ = try await scheduler.define(name: "maintenance.prune", cron: "17 * * * *", jobType: prune, catchUp: .runOnce)
        _ = try await scheduler.define(name: "certificates.expire", cron: "7 3 * * *", jobType: expireCertificates, catchUp: .runOnce)
        _ = try await scheduler.define(name: "events.settle", cron: "* * * * *", jobType: settleEvents, catchUp: .skip)
        _ = try await scheduler.define(name: "events.retention", cron: "37 2 * * *", jobType: retainEvents, catchUp: .runOnce)
        // Scheduled DF-e sync: every 5 minutes the dispatcher starts the runs whose quiet hour is over.
        _ = try await scheduler.define(name: "fiscal.sync.dispatch", cron: "*/5 * * * *", jobType: "fiscal.sync.dispatch", catchUp: .skip)
    }
}
