import FiscalMixApp
import FiscalMixConnectors
import FiscalMixCore
import FiscalMixOutbound
import FiscalMixTestSupport
import Foundation
import Logging
import Testing

@testable import FiscalMixDatabase

/// A rate limit in the database holds across processes: two clients, each with its own database
/// connection pool (as two server processes have), share one bucket.
@Suite struct SharedRateLimitTests {
    /// Measures a rate within 5%, so it runs in the timed lane (under the heavy tests' load on PostgreSQL
    /// it once fell below 95%).
    @Test func twoClientsShareOneBucketThroughTheDatabase() async throws {
        try await TestLaneGate.shared.run(.timed) { try await Self.measureTheSharedRate() }
    }

    static func measureTheSharedRate() async throws {
        let test = try await TestDatabase.make()
        let logger = Logger(label: "rate")
        let first = try Database.open(url: test.url, logger: logger)
        try await MigrationRunner(database: first, history: try FiscalMixSchema.history(), logger: logger).run()
        let second = try Database.open(url: test.url, logger: logger)
        let guardRules = AddressGuard(allowed: ["127.0.0.0/8"])
        let clients = [
            OutboundClient(configuration: .init(addressGuard: guardRules), rateLimits: SQLRateLimitStore(database: first)),
            OutboundClient(configuration: .init(addressGuard: guardRules), rateLimits: SQLRateLimitStore(database: second)),
        ]
        do {
            try await ChaosServer.run { server in
                let policy = Policy(rateLimit: .init(rate: 20, burst: 2), retry: .init(maxAttempts: 1))
                try await SteadyRate(rate: 20, burst: 2).check("token bucket shared through \(test.dialectName)") {
                    let path = "shared-\(UUID())"
                    try await SteadyRate.keepCalling(
                        "\(server.baseURL)/call/\(path)", through: clients, callersEach: 5, policy: policy,
                        context: OutboundContext(policyKey: path))
                    return server.stats(path).callTimes
                }
            }
        } catch {
            for client in clients { try? await client.shutdown() }
            try? await first.shutdown()
            try? await second.shutdown()
            await test.remove()
            throw error
        }
        for client in clients { try await client.shutdown() }
        try await first.shutdown()
        try await second.shutdown()
        await test.remove()
    }
}
