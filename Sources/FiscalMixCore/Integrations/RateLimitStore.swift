public import Foundation

/// Where outbound token buckets live (a port): in one process an actor holds them; across several
/// server processes a row per bucket is refilled and spent in one atomic statement in the
/// database (`SQLRateLimitStore`), so every process draws from the same bucket.
public protocol RateLimitStore: Sendable {
    /// Takes one token from the bucket `key` (refilled at `rate` per second up to `burst`).
    /// Returns 0 when a token was taken, otherwise how long until one will be there.
    func take(key: String, rate: Double, burst: Int) async throws -> TimeInterval
}
