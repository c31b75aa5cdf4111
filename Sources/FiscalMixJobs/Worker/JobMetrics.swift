public import CoreMetrics
import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import Synchronization

/// The job runtime's metrics, through swift-metrics (Prometheus exposition in the app).
///
/// Handles are cached per (name, type) because creating one goes through the factory's lock;
/// the factory is injected rather than bootstrapped globally so several runtimes (tests) can
/// each keep their own registry.
public final class JobMetrics: Sendable {
    public static let enqueued = "fiscalmix_jobs_enqueued_total"
    public static let claimed = "fiscalmix_jobs_claimed_total"
    public static let succeeded = "fiscalmix_jobs_succeeded_total"
    public static let failed = "fiscalmix_jobs_failed_total"
    public static let dead = "fiscalmix_jobs_dead_total"
    public static let leasesExpired = "fiscalmix_jobs_leases_expired_total"
    public static let waitTime = "fiscalmix_job_wait_seconds"
    public static let duration = "fiscalmix_job_duration_seconds"
    public static let queueDepth = "fiscalmix_jobs_queue_depth"

    let factory: any MetricsFactory
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: CoreMetrics.Timer]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])

    /// A handle's cache key: the two strings as they are, not joined into a new one per call
    /// (the worker looks handles up several times per job).
    struct Key: Hashable {
        let name: String
        let type: String
    }

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    public func count(_ name: String, type: String, by amount: Int = 1) {
        guard amount > 0 else { return }
        let key = Key(name: name, type: type)
        let counter = counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = Counter(label: name, dimensions: type.isEmpty ? [] : [("type", type)], factory: factory)
            cache[key] = counter
            return counter
        }
        counter.increment(by: amount)
    }

    public func record(_ name: String, type: String, seconds: TimeInterval) {
        let key = Key(name: name, type: type)
        let timer = timers.withLock { cache in
            if let timer = cache[key] { return timer }
            let timer = CoreMetrics.Timer(label: name, dimensions: [("type", type)], factory: factory)
            cache[key] = timer
            return timer
        }
        timer.recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// Sets the queue-depth gauges from the database; called when metrics are scraped, so the
    /// figure is current and costs nothing between scrapes. Queues that emptied drop to zero, and
    /// `knownQueues` (the ones this deployment works) are there at zero from the first scrape.
    public func refreshQueueDepth(database: Database, knownQueues: [String] = []) async throws {
        let repository = JobRepository(database: database)
        let found = try await repository.activeCounts()
        let zeros = knownQueues.flatMap { queue in [Job.Status.queued, .running].map { (queue: queue, status: $0, count: 0) } }
            .filter { zero in !found.contains { $0.queue == zero.queue && $0.status == zero.status } }
        let counts = found + zeros
        gauges.withLock { cache in
            var seen = Set<String>()
            for (queue, status, count) in counts {
                let key = queue + "\u{0}" + status.rawValue
                seen.insert(key)
                let gauge =
                    cache[key] ?? Gauge(label: Self.queueDepth, dimensions: [("queue", queue), ("status", status.rawValue)], factory: factory)
                cache[key] = gauge
                gauge.record(count)
            }
            for (key, gauge) in cache where !seen.contains(key) { gauge.record(0) }
        }
    }
}
