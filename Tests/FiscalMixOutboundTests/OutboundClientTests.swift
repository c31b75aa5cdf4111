import FiscalMixCore
import FiscalMixOutbound
import FiscalMixTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The outbound client against a local misbehaving server. Loopback is allowed explicitly: the
/// default guard refuses it (tested below).
@Suite struct OutboundClientTests {
    final class CapturedLog: OutboundLogSink {
        let entries = Mutex<[OutboundLogEntry]>([])
        func record(_ entry: OutboundLogEntry) { entries.withLock { $0.append(entry) } }
        var all: [OutboundLogEntry] { entries.withLock { $0 } }
    }

    static func client(log: any OutboundLogSink = DiscardingOutboundLog(), maxResponseBytes: Int = 1 << 20) -> OutboundClient {
        OutboundClient(
            configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.0/8", "::1/128"]), maxResponseBytes: maxResponseBytes),
            log: log)
    }

    static func fast(attempts: Int = 3) -> Policy {
        Policy(retry: .init(maxAttempts: attempts, baseDelayMs: 10, maxDelayMs: 50))
    }

    static func context(_ key: String = UUID().uuidString) -> OutboundContext { OutboundContext(policyKey: key) }

    @Test func retriesServerErrorsUntilTheyPass() async throws {
        let log = CapturedLog()
        let client = Self.client(log: log)
        try await ChaosServer.run { server in
            let response = try await client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/flaky?failures=2&apiKey=s3cret", operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(response.status == 200)
            #expect(response.attempts == 3)
            #expect(server.stats("flaky").calls == 3)
        }
        let entry = try #require(log.all.first)
        #expect(log.all.count == 1)
        #expect(entry.retryCount == 2 && entry.status == "ok" && entry.httpStatus == 200)
        #expect(!entry.path.contains("s3cret"))  // the query string (which may hold a key) is not logged
        try await client.shutdown()
    }

    @Test func clientErrorsAreAnswersAndAreNotRetried() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let response = try await client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/c404?status=404", operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(response.status == 404 && response.attempts == 1)
            // 429 and 408 are retried
            let limited = try await client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/c429?failures=1&failStatus=429", operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(limited.status == 200 && limited.attempts == 2)
        }
        try await client.shutdown()
    }

    @Test func aPostIsRetriedOnlyWithAnIdempotencyKey() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let bare = try await client.execute(
                OutboundRequest(method: "POST", url: "\(server.baseURL)/call/post1?failures=5", body: Array("{}".utf8), operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(bare.status == 503 && bare.attempts == 1)
            let keyed = try await client.execute(
                OutboundRequest(
                    method: "POST", url: "\(server.baseURL)/call/post2?failures=2", body: Array("{}".utf8),
                    idempotencyKey: "k-1", operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(keyed.status == 200 && keyed.attempts == 3)
        }
        try await client.shutdown()
    }

    /// Bounds elapsed time from above (under 5 s), so it runs in the timed lane.
    @Test func retryAfterIsHonoured() async throws {
        try await TestLaneGate.shared.run(.timed) { try await Self.honourRetryAfter() }
    }

    static func honourRetryAfter() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let started = Date()
            let response = try await client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/ra?failures=1&retryAfter=1", operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(response.status == 200)
            let times = server.stats("ra").callTimes
            #expect(times.count == 2)
            #expect(times[1].timeIntervalSince(times[0]) >= 0.95)
            #expect(Date().timeIntervalSince(started) < 5)
        }
        try await client.shutdown()
    }

    /// Bounds elapsed time from above, so it runs in the timed lane: a full run on 2 cores once
    /// starved it past 2 s (the timeout had fired; the test's own task waited for a thread).
    @Test func theTotalTimeoutBoundsASlowServer() async throws {
        try await TestLaneGate.shared.run(.timed) { try await Self.boundASlowServer() }
    }

    static func boundASlowServer() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let policy = Policy(
                retry: .init(maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 20),
                timeouts: .init(connectMs: 1000, attemptMs: 400, totalMs: 1000))
            let started = Date()
            await #expect {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/slow?ms=3000", operation: "test"),
                    policy: policy, context: Self.context())
            } throws: { error in
                (error as? OutboundError)?.code == .timeout
            }
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed >= 0.8 && elapsed < 2.0, "took \(elapsed) s")
        }
        try await client.shutdown()
    }

    @Test func concurrencyNeverExceedsTheCap() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let policy = Policy(retry: .init(maxAttempts: 1), concurrency: .init(maxInFlight: 3, maxQueued: 100))
            let context = Self.context()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        try await client.execute(
                            OutboundRequest(url: "\(server.baseURL)/call/cap?ms=50", operation: "test"),
                            policy: policy, context: context
                        ).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.stats("cap").calls == 24)
            #expect(server.stats("cap").maxInFlight <= 3)
            #expect(server.stats("cap").maxInFlight >= 2)
        }
        try await client.shutdown()
    }

    @Test func aFullQueueRefusesAtOnce() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let policy = Policy(retry: .init(maxAttempts: 1), concurrency: .init(maxInFlight: 1, maxQueued: 0))
            let context = Self.context()
            async let first = client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/q?ms=400", operation: "test"),
                policy: policy, context: context)
            try await Task.sleep(for: .milliseconds(150))
            await #expect {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/q", operation: "test"),
                    policy: policy, context: context)
            } throws: { error in
                (error as? OutboundError)?.code == .queueFull
            }
            #expect(try await first.status == 200)
        }
        try await client.shutdown()
    }

    /// Times the refusal (under 0.1 s), so it runs in the timed lane.
    @Test func theBreakerOpensRefusesFastHalfOpensAndCloses() async throws {
        try await TestLaneGate.shared.run(.timed) { try await Self.openRefuseHalfOpenAndClose() }
    }

    static func openRefuseHalfOpenAndClose() async throws {
        let transitions = Mutex<[CircuitBreakers.State]>([])
        let client = OutboundClient(
            configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.0/8"])),
            breakers: CircuitBreakers { _, state in transitions.withLock { $0.append(state) } })
        try await ChaosServer.run { server in
            let breaker = Policy.CircuitBreaker(failureRateThreshold: 0.5, windowSize: 4, minimumCalls: 4, openMs: 500, halfOpenProbes: 2)
            let policy = Policy(retry: .init(maxAttempts: 1), circuitBreaker: breaker)
            let context = Self.context("breaker")
            for _ in 0..<4 {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/down?status=500", operation: "test"),
                    policy: policy, context: context)
            }
            #expect(client.breakers.state("breaker") == .open)
            let started = Date()
            await #expect {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/down?status=500", operation: "test"),
                    policy: policy, context: context)
            } throws: { error in
                (error as? OutboundError)?.code == .circuitOpen
            }
            #expect(Date().timeIntervalSince(started) < 0.1)
            #expect(server.stats("down").calls == 4)  // refused without calling
            try await Task.sleep(for: .milliseconds(600))
            for _ in 0..<2 {
                let probe = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/up", operation: "test"),
                    policy: policy, context: context)
                #expect(probe.status == 200)
            }
            #expect(client.breakers.state("breaker") == .closed)
        }
        #expect(transitions.withLock { $0 } == [.open, .halfOpen, .closed])
        try await client.shutdown()
    }

    @Test func aFailedProbeReopensTheBreaker() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let breaker = Policy.CircuitBreaker(failureRateThreshold: 1, windowSize: 2, minimumCalls: 2, openMs: 200, halfOpenProbes: 1)
            let policy = Policy(retry: .init(maxAttempts: 1), circuitBreaker: breaker)
            let context = Self.context("reopen")
            for _ in 0..<2 {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/r?status=502", operation: "test"),
                    policy: policy, context: context)
            }
            try await Task.sleep(for: .milliseconds(250))
            let probe = try await client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/r?status=502", operation: "test"),
                policy: policy, context: context)
            #expect(probe.status == 502)
            #expect(client.breakers.state("reopen") == .open)
        }
        try await client.shutdown()
    }

    @Test func theTokenBucketHoldsItsRateWithinFivePercentOverTenSeconds() async throws {
        try await TestLaneGate.shared.run(.timed) { try await Self.measureTheTokenBucketRate() }
    }

    static func measureTheTokenBucketRate() async throws {
        let client = Self.client()
        try await ChaosServer.run { server in
            let policy = Policy(rateLimit: .init(rate: 20, burst: 4), retry: .init(maxAttempts: 1))
            try await SteadyRate(rate: 20, burst: 4).check("local token bucket") {
                let path = "rate-\(UUID())"
                try await SteadyRate.keepCalling(
                    "\(server.baseURL)/call/\(path)", through: [client], callersEach: 12, policy: policy,
                    context: Self.context())
                return server.stats(path).callTimes
            }
        }
        try await client.shutdown()
    }

    @Test func largeAnswersAreRefused() async throws {
        let client = Self.client(maxResponseBytes: 64 * 1024)
        try await ChaosServer.run { server in
            await #expect {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/big?bytes=200000", operation: "test"),
                    policy: Self.fast(), context: Self.context())
            } throws: { error in
                (error as? OutboundError)?.code == .bodyTooLarge
            }
            let small = try await client.execute(
                OutboundRequest(url: "\(server.baseURL)/call/small?bytes=60000", operation: "test"),
                policy: Self.fast(), context: Self.context())
            #expect(small.body.count == 60000)
        }
        try await client.shutdown()
    }

    /// A server that is not there is retried like any connection error, and the failure names
    /// the cause (a refused connection), so an operator can tell it from a timeout or a reset.
    @Test func aRefusedConnectionIsRetriedAndNamedInTheError() async throws {
        let client = Self.client()
        let port = try Self.closedLoopbackPort()
        // The HTTP client may re-dial a refused port until the connect deadline (here both
        // attempts took ~1 s together); the total leaves room for both on a loaded machine too.
        let policy = Policy(
            retry: .init(maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20), timeouts: .init(connectMs: 500, attemptMs: 1_000, totalMs: 30_000))
        do {
            _ = try await client.execute(
                OutboundRequest(url: "http://127.0.0.1:\(port)/nobody?apiKey=s3cret", operation: "test"),
                policy: policy, context: Self.context())
            Issue.record("a call to a closed port succeeded")
        } catch let error as OutboundError {
            #expect(error.code == .connectionFailed, "\(error)")
            #expect(error.attempts == 2)
            #expect(error.message.lowercased().contains("refused"), "\(error.message)")
            #expect(!error.message.contains("s3cret"))
        }
        try await client.shutdown()
    }

    /// A loopback port nobody listens on: bound, named and closed again.
    static func closedLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard named else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
