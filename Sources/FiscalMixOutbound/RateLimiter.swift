import Foundation

/// Where token buckets live. In one process an actor holds them; across several server processes
/// on PostgreSQL a row per bucket is refilled and spent in one atomic statement
/// (`RateLimitRepository` in storage), so every process draws from the same bucket.
public protocol RateLimitStore: Sendable {
    /// Takes one token from the bucket `key` (refilled at `rate` per second up to `burst`).
    /// Returns 0 when a token was taken, otherwise how long until one will be there.
    func take(key: String, rate: Double, burst: Int) async throws -> TimeInterval
}

/// Token buckets in this process.
public actor LocalRateLimitStore: RateLimitStore {
    private struct Bucket {
        var tokens: Double
        var refreshed: ContinuousClock.Instant
    }

    private var buckets: [String: Bucket] = [:]
    private let clock = ContinuousClock()

    public init() {}

    public func take(key: String, rate: Double, burst: Int) -> TimeInterval {
        let now = clock.now
        var bucket = buckets[key] ?? Bucket(tokens: Double(burst), refreshed: now)
        let elapsed = bucket.refreshed.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(Double(burst), bucket.tokens + seconds * rate)
        bucket.refreshed = now
        defer { buckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return 0
        }
        return (1 - bucket.tokens) / rate
    }
}
