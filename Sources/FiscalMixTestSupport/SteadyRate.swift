public import FiscalMixCore
public import FiscalMixOutbound
public import Foundation
import Synchronization
public import Testing

/// Measures a token bucket's steady rate: calls a server received from 2 s to 10 s after the first.
///
/// A bucket of burst `b` at rate `r` keeps up to `b / r` seconds of credit; if the test's callers
/// are not scheduled for longer than that, the bucket overflows and the count falls short through
/// no fault of the bucket. On a 2-core machine running the whole suite beside PostgreSQL this
/// happened: CI failed with fewer than 152 calls where 160 were due, and here 147 and 150 calls
/// came with the test's timers waking 560 and 646 ms late. So a heartbeat on the same executor
/// measures how late the test's own timers wake. A short count with a stall longer than the bucket
/// can hold is measured again (at most `attempts` times); a short count without one, or a count
/// more than 5% over, fails at once.
public struct SteadyRate {
    public let rate: Double
    public let burst: Int
    public var attempts = 3

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }

    struct Measurement {
        let inWindow: Int
        let worstLag: Duration
    }

    /// `run` drives the callers and returns the times at which the server received the calls.
    public func check(
        _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ run: @Sendable () async throws -> [Date]
    ) async throws {
        let expected = rate * 8
        let credit = Duration.milliseconds(Int(Double(burst) / rate * 1000))
        for attempt in 1...attempts {
            let measured = try await Self.measure(run)
            let lagMs = measured.worstLag.seconds * 1000
            print("\(label): \(measured.inWindow) calls in 8 s (expected about \(expected)), timers woke up to \(Int(lagMs)) ms late")
            let tooMany = Double(measured.inWindow) > expected * 1.05
            let tooFew = Double(measured.inWindow) < expected * 0.95
            if tooFew && !tooMany && measured.worstLag > credit && attempt < attempts { continue }
            #expect(
                !tooFew && !tooMany,
                "\(label): \(measured.inWindow) calls in 8 s, expected about \(expected) (attempt \(attempt), timers up to \(Int(lagMs)) ms late)",
                sourceLocation: sourceLocation)
            return
        }
    }

    /// Keeps `callersEach` callers per client calling `url` for 10 s: far more than the rate
    /// needs, so that the rate, not the callers, sets the pace.
    public static func keepCalling(
        _ url: String, through clients: [OutboundClient], callersEach: Int, policy: Policy,
        context: OutboundContext
    ) async throws {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients {
                for _ in 0..<callersEach {
                    group.addTask {
                        while ContinuousClock.now - started < .seconds(10) {
                            _ = try await client.execute(OutboundRequest(url: url, operation: "test"), policy: policy, context: context)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private static func measure(_ run: @Sendable () async throws -> [Date]) async throws -> Measurement {
        let worst = Mutex(Duration.zero)
        let heartbeat = Task {
            let clock = ContinuousClock()
            while !Task.isCancelled {
                let asked = clock.now
                try? await Task.sleep(for: .milliseconds(10))
                let late = asked.duration(to: clock.now) - .milliseconds(10)
                worst.withLock { $0 = max($0, late) }
            }
        }
        let times: [Date]
        do {
            times = try await run()
        } catch {
            heartbeat.cancel()
            throw error
        }
        heartbeat.cancel()
        _ = await heartbeat.value
        let first = try #require(times.min())
        let inWindow = times.filter { $0.timeIntervalSince(first) >= 2 && $0.timeIntervalSince(first) < 10 }.count
        return Measurement(inWindow: inWindow, worstLag: worst.withLock { $0 })
    }
}
