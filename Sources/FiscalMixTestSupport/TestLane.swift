/// Keeps the tests that time something — a conformance case with a time limit, a sign-in against
/// HummingbirdTesting's 20-second client timeout, a token-bucket rate within 5% — and the heaviest tests (thousands of documents through
/// TLS, gzip, XML and the database) from running beside other server tests: bcrypt at cost 12 on a
/// 2-core machine leaves no room when dozens of tests sign in at once (measured: AuthTests timed
/// out in one of three full runs). Normal tests share the lane; timed and heavy tests have it
/// alone, first come first served.
public enum TestLane: Sendable {
    case normal, timed, heavy

    var isAlone: Bool { self != .normal }
}

public actor TestLaneGate {
    public static let shared = TestLaneGate()
    private var sharers = 0
    private var exclusive = false
    private var waiting: [(alone: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    public func enter(_ lane: TestLane) async {
        if waiting.isEmpty, admits(lane.isAlone) { take(lane.isAlone); return }
        await withCheckedContinuation { waiting.append((lane.isAlone, $0)) }
    }

    public func leave(_ lane: TestLane) {
        if lane.isAlone { exclusive = false } else { sharers -= 1 }
        while let next = waiting.first, admits(next.alone) {
            waiting.removeFirst()
            take(next.alone)
            next.continuation.resume()
        }
    }

    private func admits(_ alone: Bool) -> Bool { alone ? !exclusive && sharers == 0 : !exclusive }
    private func take(_ alone: Bool) { if alone { exclusive = true } else { sharers += 1 } }
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
