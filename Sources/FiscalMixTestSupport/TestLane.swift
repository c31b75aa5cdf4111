/// Keeps the heaviest tests (thousands of documents through TLS, gzip, XML and the database) from
/// running beside the tests that time a sign-in against HummingbirdTesting's 20-second client
/// timeout: bcrypt at cost 12 on a 2-core machine has no room left when both overlap. Timed tests
/// share the lane with each other; a heavy test has it alone. Everything else ignores it.
/// (The token-bucket rate test is timed too: it measures a rate within 5% over ten seconds.)
public enum TestLane: Sendable {
    case normal, timed, heavy
}

public actor TestLaneGate {
    public static let shared = TestLaneGate()
    private var sharers = 0
    private var exclusive = false
    private var waiting: [(heavy: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    public func enter(_ lane: TestLane) async {
        guard lane != .normal else { return }
        let heavy = lane == .heavy
        if waiting.isEmpty, admits(heavy) { take(heavy); return }
        await withCheckedContinuation { waiting.append((heavy, $0)) }
    }

    public func leave(_ lane: TestLane) {
        switch lane {
        case .normal: return
        case .heavy: exclusive = false
        case .timed: sharers -= 1
        }
        // First come, first served: a waiting heavy test is not overtaken by later timed ones.
        while let next = waiting.first, admits(next.heavy) {
            waiting.removeFirst()
            take(next.heavy)
            next.continuation.resume()
        }
    }

    private func admits(_ heavy: Bool) -> Bool { heavy ? !exclusive && sharers == 0 : !exclusive }
    private func take(_ heavy: Bool) { if heavy { exclusive = true } else { sharers += 1 } }
}

extension TestLaneGate {
    /// Runs `body` inside `lane`.
    public func run<T: Sendable>(_ lane: TestLane, _ body: @Sendable () async throws -> T) async throws -> T {
        await enter(lane)
        do {
            let result = try await body()
            leave(lane)
            return result
        } catch {
            leave(lane)
            throw error
        }
    }
}
