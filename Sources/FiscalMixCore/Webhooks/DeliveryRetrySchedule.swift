public import Foundation

/// When a failed delivery is tried again: the first attempt goes at once, then each step of the
/// schedule in turn, each stretched or shrunk by up to ±20% so a receiver that came back is not
/// hit by every retry at the same second. After the last step the delivery is dead.
public struct DeliveryRetrySchedule: Sendable, Equatable {
    /// Delays after attempt 1, 2, … (seconds).
    public var steps: [TimeInterval]
    /// The most a `Retry-After` may stretch one step to.
    public var maxRetryAfter: TimeInterval
    public var jitter: Double

    /// Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight attempts in ~28 h).
    public static let `default` = DeliveryRetrySchedule(steps: [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000])
    /// Bounds on a configured schedule.
    public static let maxSteps = 20
    public static let maxStep: TimeInterval = 7 * 86_400

    public init(steps: [TimeInterval], maxRetryAfter: TimeInterval = 86_400, jitter: Double = 0.2) {
        self.steps = steps
        self.maxRetryAfter = maxRetryAfter
        self.jitter = jitter
    }

    /// Attempts in all: the first plus one per step.
    public var maxAttempts: Int { steps.count + 1 }

    /// The delay before the next attempt after `attempt` attempts failed, or nil when the schedule
    /// is spent. A `Retry-After` longer than the step replaces it (up to `maxRetryAfter`).
    public func delay(
        afterAttempt attempt: Int, retryAfter: TimeInterval? = nil,
        using generator: inout some RandomNumberGenerator
    ) -> TimeInterval? {
        guard attempt >= 1, attempt <= steps.count else { return nil }
        let step = steps[attempt - 1]
        let jittered = jitter > 0 && step > 0 ? step * Double.random(in: (1 - jitter)...(1 + jitter), using: &generator) : step
        guard let retryAfter, retryAfter > jittered else { return jittered }
        return min(retryAfter, maxRetryAfter)
    }

    /// Checks a configured schedule: 0 to 20 steps, each 0 s to 7 days.
    public static func validate(_ steps: [TimeInterval]) -> String? {
        guard steps.count <= maxSteps else { return "A retry schedule has at most \(maxSteps) steps." }
        guard steps.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= maxStep }) else {
            return "Each retry step is 0 to \(Int(maxStep)) seconds."
        }
        return nil
    }
}

/// What one attempt's answer means for the delivery.
public enum DeliveryVerdict: Sendable, Equatable {
    case delivered
    /// Try again (connection error, timeout, 3xx, 408/409/425/429, 5xx).
    case retry
    /// A 4xx that will not change by retrying.
    case reject
    /// 410 Gone: the receiver says the endpoint is no more; it is disabled.
    case gone

    /// Standard Webhooks: any 2xx is success; redirects are not followed and count as failures.
    public init(status: Int?) {
        switch status {
        case nil: self = .retry
        case let s? where (200..<300).contains(s): self = .delivered
        case 410?: self = .gone
        case 408?, 409?, 425?, 429?: self = .retry
        case let s? where (400..<500).contains(s): self = .reject
        default: self = .retry
        }
    }
}
