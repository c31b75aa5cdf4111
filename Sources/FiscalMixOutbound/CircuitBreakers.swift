public import FiscalMixCore
import Synchronization

/// Circuit breakers, one per policy key: closed (counting the outcome of the last calls), open
/// (refusing at once) and half-open (letting a few probe calls through). A lock rather than an
/// actor: every call with a breaker passes here twice.
public final class CircuitBreakers: Sendable {
    public enum State: String, Sendable {
        case closed, open, halfOpen = "half_open"
    }

    private struct Breaker {
        var state: State = .closed
        var window = OutcomeWindow()
        var openedAt: ContinuousClock.Instant?
        var probesStarted = 0
        var probesSucceeded = 0
    }

    private let breakers = Mutex<[String: Breaker]>([:])
    private let clock = ContinuousClock()
    private let onTransition: @Sendable (String, State) -> Void

    public init(onTransition: @escaping @Sendable (String, State) -> Void = { _, _ in }) {
        self.onTransition = onTransition
    }

    public func state(_ key: String) -> State { breakers.withLock { $0[key]?.state ?? .closed } }

    /// Whether a call may go ahead now.
    public func permit(_ key: String, _ config: Policy.CircuitBreaker) -> Bool {
        let (permitted, changed) = update(key) { breaker in permit(&breaker, config) }
        if let changed { onTransition(key, changed) }
        return permitted
    }

    /// Records the outcome of a permitted call.
    public func record(_ key: String, _ config: Policy.CircuitBreaker, failure: Bool) {
        let (_, changed) = update(key) { breaker in record(&breaker, config, failure: failure) }
        if let changed { onTransition(key, changed) }
    }

    /// Runs `body` on the key's breaker under the lock; returns its result and the state the
    /// breaker moved to, if it moved (announced after the lock is released).
    private func update<T>(_ key: String, _ body: (inout Breaker) -> T) -> (T, State?) {
        breakers.withLock { breakers in
            // In place: a copy out of the dictionary would copy the window on every write.
            let before = breakers[key]?.state ?? .closed
            let result = body(&breakers[key, default: Breaker()])
            let after = breakers[key]!.state
            return (result, after == before ? nil : after)
        }
    }

    private func permit(_ breaker: inout Breaker, _ config: Policy.CircuitBreaker) -> Bool {
        switch breaker.state {
        case .closed:
            return true
        case .open:
            guard let openedAt = breaker.openedAt, openedAt.duration(to: clock.now) >= .milliseconds(config.openMs) else { return false }
            transition(&breaker, to: .halfOpen)
            breaker.probesStarted = 1
            return true
        case .halfOpen:
            guard breaker.probesStarted < config.halfOpenProbes else { return false }
            breaker.probesStarted += 1
            return true
        }
    }

    private func record(_ breaker: inout Breaker, _ config: Policy.CircuitBreaker, failure: Bool) {
        switch breaker.state {
        case .closed:
            breaker.window.add(failure: failure, size: config.windowSize)
            if breaker.window.count >= config.minimumCalls,
                Double(breaker.window.failures) / Double(breaker.window.count) >= config.failureRateThreshold
            {
                open(&breaker)
            }
        case .halfOpen:
            if failure {
                open(&breaker)
            } else {
                breaker.probesSucceeded += 1
                if breaker.probesSucceeded >= config.halfOpenProbes {
                    transition(&breaker, to: .closed)
                    breaker.window = OutcomeWindow()
                }
            }
        case .open:
            break  // a call permitted before the breaker opened finished late
        }
    }

    private func open(_ breaker: inout Breaker) {
        transition(&breaker, to: .open)
        breaker.openedAt = clock.now
        breaker.probesStarted = 0
        breaker.probesSucceeded = 0
    }

    private func transition(_ breaker: inout Breaker, to state: State) {
        guard breaker.state != state else { return }
        breaker.state = state
        if state == .halfOpen {
            breaker.probesStarted = 0
            breaker.probesSucceeded = 0
        }
    }
}

/// The outcomes of the last `size` calls as a ring with a running failure count: O(1) a call.
struct OutcomeWindow {
    private var outcomes: [Bool] = []  // true = failure
    private var oldest = 0
    private(set) var failures = 0

    var count: Int { outcomes.count }

    mutating func add(failure: Bool, size: Int) {
        let size = max(1, size)
        if outcomes.count > size { self = OutcomeWindow() }  // the policy's window shrank
        if outcomes.count < size {
            outcomes.append(failure)
        } else {
            if outcomes[oldest] { failures -= 1 }
            outcomes[oldest] = failure
            oldest = (oldest + 1) % size
        }
        if failure { failures += 1 }
    }
}
