public import FiscalMixCore
public import Foundation
import Synchronization

/// Token buckets in this process (behind a lock: taken on every call, so no actor hop).
public final class LocalRateLimitStore: RateLimitStore {
    private struct Bucket {
        var tokens: Double
        var refreshed: ContinuousClock.Instant
    }

    private let state = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()

    public init() {}

    public func take(key: String, rate: Double, burst: Int) -> TimeInterval {
        let now = clock.now
        return state.withLock { buckets in take(&buckets, key: key, rate: rate, burst: burst, now: now) }
    }

    private func take(_ buckets: inout [String: Bucket], key: String, rate: Double, burst: Int, now: ContinuousClock.Instant) -> TimeInterval {
        var bucket = buckets[key] ?? Bucket(tokens: Double(burst), refreshed: now)
        let elapsed = bucket.refreshed.duration(to: now)
        bucket.tokens = min(Double(burst), bucket.tokens + elapsed.seconds * rate)
        bucket.refreshed = now
        defer { buckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return 0
        }
        return (1 - bucket.tokens) / rate
    }
}
