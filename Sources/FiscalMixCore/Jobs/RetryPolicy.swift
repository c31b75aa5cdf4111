public import Foundation

/// When a failed attempt runs again: exponential backoff with full jitter under a cap
/// (delay = random(0, min(cap, base · 2^(attempt−1))), AWS's "full jitter"), or a fixed schedule.
public enum RetryPolicy: Sendable, Equatable {
    case exponential(base: TimeInterval, cap: TimeInterval)
    case schedule([TimeInterval])

    public static let `default` = RetryPolicy.exponential(base: 2, cap: 600)

    /// Delay before attempt `attempt + 1`, after `attempt` attempts have failed (attempt ≥ 1).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> TimeInterval {
        switch self {
        case .exponential(let base, let cap):
            let ceiling = min(cap, base * pow(2, Double(max(0, attempt - 1))))
            return ceiling <= 0 ? 0 : Double.random(in: 0...ceiling, using: &generator)
        case .schedule(let steps):
            guard !steps.isEmpty else { return 0 }
            return steps[min(attempt - 1, steps.count - 1)]
        }
    }
}

/// What a handler can say about a failure.
public enum JobFailure: Error, Sendable, Equatable {
    /// Try again after this many seconds (overrides the policy's delay).
    case retryAfter(TimeInterval, message: String)
    /// Try again at this moment: for a handler that already recorded when (a webhook delivery's
    /// `next_attempt_at`), so the job and the record agree to the instant.
    case retryAt(Date, message: String)
    /// Do not try again: the job ends `failed`.
    case doNotRetry(message: String)
}
