import FiscalMixCore

/// Circuit breakers, one per policy key: closed (counting the outcome of the last calls), open
/// (refusing at once) and half-open (letting a few probe calls through).
public actor CircuitBreakers {
    public enum State: String, Sendable {
        case closed, open, halfOpen = "half_open"
    }

    private struct Breaker {
        var state: State = .closed
        var window: [Bool] = []  // true = failure, the most recent last
        var openedAt: ContinuousClock.Instant?
        var probesStarted = 0
        var probesSucceeded = 0
    }

    private var breakers: [String: Breaker] = [:]
    private let clock = ContinuousClock()
    private let onTransition: @Sendable (String, State) -> Void

    public init(onTransition: @escaping @Sendable (String, State) -> Void = { _, _ in }) {
        self.onTransition = onTransition
    }

    public func state(_ key: String) -> State { breakers[key]?.state ?? .closed }

    /// Whether a call may go ahead now.
    public func permit(_ key: String, _ config: Policy.CircuitBreaker) -> Bool {
        var breaker = breakers[key] ?? Breaker()
        defer { breakers[key] = breaker }
        switch breaker.state {
        case .closed:
            return true
        case .open:
            guard let openedAt = breaker.openedAt, openedAt.duration(to: clock.now) >= .milliseconds(config.openMs) else { return false }
            transition(key, &breaker, to: .halfOpen)
            breaker.probesStarted = 1
            return true
        case .halfOpen:
            guard breaker.probesStarted < config.halfOpenProbes else { return false }
            breaker.probesStarted += 1
            return true
        }
    }

    /// Records the outcome of a permitted call.
    public func record(_ key: String, _ config: Policy.CircuitBreaker, failure: Bool) {
        var breaker = breakers[key] ?? Breaker()
        defer { breakers[key] = breaker }
        switch breaker.state {
        case .closed:
            breaker.window.append(failure)
            if breaker.window.count > config.windowSize { breaker.window.removeFirst(breaker.window.count - config.windowSize) }
            let failures = breaker.window.filter { $0 }.count
            if breaker.window.count >= config.minimumCalls,
               Double(failures) / Double(breaker.window.count) >= config.failureRateThreshold
            {
                open(key, &breaker)
            }
        case .halfOpen:
            if failure {
                open(key, &breaker)
            } else {
                breaker.probesSucceeded += 1
                if breaker.probesSucceeded >= config.halfOpenProbes {
                    transition(key, &breaker, to: .closed)
                    breaker.window = []
                }
            }
        case .open:
            break  // a call permitted before the breaker opened finished late
        }
    }

    private func open(_ key: String, _ breaker: inout Breaker) {
        transition(key, &breaker, to: .open)
        breaker.openedAt = clock.now
        breaker.probesStarted = 0
        breaker.probesSucceeded = 0
    }

    private func transition(_ key: String, _ breaker: inout Breaker, to state: State) {
        guard breaker.state != state else { return }
        breaker.state = state
        if state == .halfOpen {
            breaker.probesStarted = 0
            breaker.probesSucceeded = 0
        }
        onTransition(key, state)
    }
}
