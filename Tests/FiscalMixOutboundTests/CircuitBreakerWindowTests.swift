import FiscalMixCore
import FiscalMixOutbound
import Testing

/// The breaker judges the last `windowSize` calls only: a long good history does not hide a
/// sudden run of failures, and old outcomes slide out.
@Suite struct CircuitBreakerWindowTests {
    let config = Policy.CircuitBreaker(failureRateThreshold: 0.5, windowSize: 4, minimumCalls: 4, openMs: 60_000, halfOpenProbes: 1)

    func call(_ breakers: CircuitBreakers, failing: Bool) {
        #expect(breakers.permit("k", config))
        breakers.record("k", config, failure: failing)
    }

    @Test func recentFailuresOpenInSpiteOfALongGoodHistory() {
        let breakers = CircuitBreakers()
        for _ in 0..<1_000 { call(breakers, failing: false) }
        call(breakers, failing: true)
        #expect(breakers.state("k") == .closed)  // 1 of the last 4
        call(breakers, failing: true)  // 2 of the last 4 (counted since the start: 2 of 1,002)
        #expect(breakers.state("k") == .open)
        #expect(!breakers.permit("k", config))
    }

    @Test func oldFailuresSlideOut() {
        let breakers = CircuitBreakers()
        for failing in [false, false, false, true, false, false, false, true, false, false, false, true] {
            call(breakers, failing: failing)
            #expect(breakers.state("k") == .closed)  // never more than 1 of any 4
        }
    }
}
