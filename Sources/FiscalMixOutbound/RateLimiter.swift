import FiscalMixCore
import Foundation

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
