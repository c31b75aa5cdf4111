public import Foundation

/// How calls to an outside system behave (docs/data-model.md Policy): rate limit, retries, timeouts, circuit
/// breaker and concurrency. Versioned; attached to connectors (and webhook endpoints). Every part
/// is optional: a missing part means "no limit" (rate, concurrency, breaker) or the default
/// (retry, timeouts).
public struct Policy: Sendable, Codable, Equatable {
    /// Token bucket: `rate` calls per second on average, bursts up to `burst`.
    public struct RateLimit: Sendable, Codable, Equatable {
        public var rate: Double
        public var burst: Int
        public init(rate: Double, burst: Int) {
            self.rate = rate
            self.burst = burst
        }
    }

    /// Exponential backoff with full jitter: attempt n waits random(0, min(maxDelay, baseDelay·2ⁿ⁻¹)),
    /// or longer when the server's `Retry-After` asks for it (capped by `maxRetryAfter`).
    public struct Retry: Sendable, Codable, Equatable {
        public var maxAttempts: Int
        public var baseDelayMs: Int
        public var maxDelayMs: Int
        public var maxRetryAfterMs: Int
        public init(maxAttempts: Int = 3, baseDelayMs: Int = 200, maxDelayMs: Int = 10_000, maxRetryAfterMs: Int = 60_000) {
            self.maxAttempts = maxAttempts
            self.baseDelayMs = baseDelayMs
            self.maxDelayMs = maxDelayMs
            self.maxRetryAfterMs = maxRetryAfterMs
        }
    }

    public struct Timeouts: Sendable, Codable, Equatable {
        public var connectMs: Int
        /// One attempt, from sending the request to the end of the answer.
        public var attemptMs: Int
        /// Every attempt and every wait between them.
        public var totalMs: Int
        public init(connectMs: Int = 5_000, attemptMs: Int = 30_000, totalMs: Int = 90_000) {
            self.connectMs = connectMs
            self.attemptMs = attemptMs
            self.totalMs = totalMs
        }
    }

    /// Opens when, over the last `windowSize` calls (at least `minimumCalls` of them), the share
    /// of failures reaches `failureRateThreshold`; refuses calls for `openMs`; then lets
    /// `halfOpenProbes` calls through and closes if they all succeed.
    public struct CircuitBreaker: Sendable, Codable, Equatable {
        public var failureRateThreshold: Double
        public var windowSize: Int
        public var minimumCalls: Int
        public var openMs: Int
        public var halfOpenProbes: Int
        public init(
            failureRateThreshold: Double = 0.5, windowSize: Int = 20, minimumCalls: Int = 10, openMs: Int = 30_000,
            halfOpenProbes: Int = 3
        ) {
            self.failureRateThreshold = failureRateThreshold
            self.windowSize = windowSize
            self.minimumCalls = minimumCalls
            self.openMs = openMs
            self.halfOpenProbes = halfOpenProbes
        }
    }

    /// At most `maxInFlight` calls at once; up to `maxQueued` more wait, in order; beyond that a
    /// call is refused at once.
    public struct Concurrency: Sendable, Codable, Equatable {
        public var maxInFlight: Int
        public var maxQueued: Int
        public init(maxInFlight: Int, maxQueued: Int = 100) {
            self.maxInFlight = maxInFlight
            self.maxQueued = maxQueued
        }
    }

    public var rateLimit: RateLimit?
    public var retry: Retry
    public var timeouts: Timeouts
    public var circuitBreaker: CircuitBreaker?
    public var concurrency: Concurrency?

    public init(
        rateLimit: RateLimit? = nil, retry: Retry = Retry(), timeouts: Timeouts = Timeouts(),
        circuitBreaker: CircuitBreaker? = nil, concurrency: Concurrency? = nil
    ) {
        self.rateLimit = rateLimit
        self.retry = retry
        self.timeouts = timeouts
        self.circuitBreaker = circuitBreaker
        self.concurrency = concurrency
    }

    public static let `default` = Policy()

    /// Refuses values that cannot work (a zero rate, a breaker threshold above 1 …) with the field
    /// that is wrong.
    public func validate() throws(FiscalMixError) {
        func check(_ condition: Bool, _ field: String, _ message: String) throws(FiscalMixError) {
            if !condition { throw FiscalMixError.validation(field, message) }
        }
        if let rateLimit {
            try check(rateLimit.rate > 0 && rateLimit.rate <= 100_000, "rateLimit.rate", "The rate must be above 0 and at most 100000 per second.")
            try check(rateLimit.burst >= 1 && rateLimit.burst <= 100_000, "rateLimit.burst", "The burst must be between 1 and 100000.")
        }
        try check((1...20).contains(retry.maxAttempts), "retry.maxAttempts", "Between 1 and 20 attempts.")
        try check(
            retry.baseDelayMs >= 0 && retry.baseDelayMs <= retry.maxDelayMs, "retry.baseDelayMs",
            "The base delay must be between 0 and the maximum delay.")
        try check(retry.maxDelayMs <= 3_600_000, "retry.maxDelayMs", "At most one hour.")
        try check(retry.maxRetryAfterMs >= 0 && retry.maxRetryAfterMs <= 3_600_000, "retry.maxRetryAfterMs", "Between 0 and one hour.")
        try check(timeouts.connectMs >= 1 && timeouts.connectMs <= 120_000, "timeouts.connectMs", "Between 1 ms and 2 minutes.")
        try check(timeouts.attemptMs >= 1 && timeouts.attemptMs <= 600_000, "timeouts.attemptMs", "Between 1 ms and 10 minutes.")
        try check(
            timeouts.totalMs >= timeouts.attemptMs && timeouts.totalMs <= 3_600_000, "timeouts.totalMs",
            "At least the attempt timeout and at most one hour.")
        if let breaker = circuitBreaker {
            try check(
                breaker.failureRateThreshold > 0 && breaker.failureRateThreshold <= 1, "circuitBreaker.failureRateThreshold",
                "A share of failures above 0 and at most 1.")
            try check((1...1000).contains(breaker.windowSize), "circuitBreaker.windowSize", "Between 1 and 1000 calls.")
            try check(
                breaker.minimumCalls >= 1 && breaker.minimumCalls <= breaker.windowSize, "circuitBreaker.minimumCalls",
                "Between 1 and the window size.")
            try check(breaker.openMs >= 1 && breaker.openMs <= 3_600_000, "circuitBreaker.openMs", "Between 1 ms and one hour.")
            try check((1...100).contains(breaker.halfOpenProbes), "circuitBreaker.halfOpenProbes", "Between 1 and 100 probe calls.")
        }
        if let concurrency {
            try check((1...10_000).contains(concurrency.maxInFlight), "concurrency.maxInFlight", "Between 1 and 10000 calls.")
            try check((0...100_000).contains(concurrency.maxQueued), "concurrency.maxQueued", "Between 0 and 100000 waiting calls.")
        }
    }
}

/// A policy as stored (docs/data-model.md Policy): named per account and versioned — saving a name again
/// makes the next version, and connectors keep the version they were attached to.
public struct StoredPolicy: Sendable, Equatable {
    public var id: UUID
    public var accountId: UUID
    public var name: String
    public var version: Int
    public var policy: Policy
    public var createdAt: Date

    public init(id: UUID, accountId: UUID, name: String, version: Int, policy: Policy, createdAt: Date) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.version = version
        self.policy = policy
        self.createdAt = createdAt
    }
}

// Decoding fills in what a part leaves out with the defaults above, so `{"maxAttempts": 5}` is a
// complete retry part.
extension Policy.Retry {
    enum CodingKeys: String, CodingKey { case maxAttempts, baseDelayMs, maxDelayMs, maxRetryAfterMs }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Policy.Retry()
        self.init(
            maxAttempts: try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts,
            baseDelayMs: try c.decodeIfPresent(Int.self, forKey: .baseDelayMs) ?? d.baseDelayMs,
            maxDelayMs: try c.decodeIfPresent(Int.self, forKey: .maxDelayMs) ?? d.maxDelayMs,
            maxRetryAfterMs: try c.decodeIfPresent(Int.self, forKey: .maxRetryAfterMs) ?? d.maxRetryAfterMs)
    }
}

extension Policy.Timeouts {
    enum CodingKeys: String, CodingKey { case connectMs, attemptMs, totalMs }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Policy.Timeouts()
        self.init(
            connectMs: try c.decodeIfPresent(Int.self, forKey: .connectMs) ?? d.connectMs,
            attemptMs: try c.decodeIfPresent(Int.self, forKey: .attemptMs) ?? d.attemptMs,
            totalMs: try c.decodeIfPresent(Int.self, forKey: .totalMs) ?? d.totalMs)
    }
}

extension Policy.CircuitBreaker {
    enum CodingKeys: String, CodingKey { case failureRateThreshold, windowSize, minimumCalls, openMs, halfOpenProbes }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Policy.CircuitBreaker()
        self.init(
            failureRateThreshold: try c.decodeIfPresent(Double.self, forKey: .failureRateThreshold) ?? d.failureRateThreshold,
            windowSize: try c.decodeIfPresent(Int.self, forKey: .windowSize) ?? d.windowSize,
            minimumCalls: try c.decodeIfPresent(Int.self, forKey: .minimumCalls) ?? d.minimumCalls,
            openMs: try c.decodeIfPresent(Int.self, forKey: .openMs) ?? d.openMs,
            halfOpenProbes: try c.decodeIfPresent(Int.self, forKey: .halfOpenProbes) ?? d.halfOpenProbes)
    }
}

extension Policy.Concurrency {
    enum CodingKeys: String, CodingKey { case maxInFlight, maxQueued }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxInFlight: try c.decode(Int.self, forKey: .maxInFlight), maxQueued: try c.decodeIfPresent(Int.self, forKey: .maxQueued) ?? 100)
    }
}
