import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// API rate limits: headers on every answer, 429 with Retry-After past the limit, per key and
/// per account, a new window resets; on PostgreSQL two server processes share the counts.
@Suite struct APIRateLimitTests {
    static func limits(_ c: inout AppConfiguration) { c.apiRateLimits = APIRateLimits(perClient: 5, perAccount: 8) }

    @Test func limitsPerKeyAndPerAccountWithHeaders() async throws {
        try await TestServer.run(configure: Self.limits) { server in
            // A window that starts now, so the test does not straddle two.
            server.clock.set(Date(timeIntervalSince1970: (server.clock.now().timeIntervalSince1970 / 60).rounded(.down) * 60 + 60))
            let (owner, auth) = try await server.ownerApiKey()
            var remaining: [Int] = []
            for _ in 1...5 {
                let r = try await server.request(.get, "/v1/events", auth: auth)
                #expect(r.status == 200 && r.headers[HTTPField.Name("RateLimit-Limit")!] == "5")
                remaining.append(Int(r.headers[HTTPField.Name("RateLimit-Remaining")!] ?? "") ?? -1)
                #expect(r.headers[HTTPField.Name("RateLimit-Reset")!] == "60")
            }
            #expect(remaining == [4, 3, 2, 1, 0])
            let refused = try await server.request(.get, "/v1/events", auth: auth)
            #expect(refused.status == 429 && refused.code == "rate_limited" && refused.headers[.retryAfter] == "60")
            #expect(refused.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")

            // A second key of the same account has its own 5 but shares the account's 8.
            let session = try await server.login(owner.email, owner.password)
            let other = try await server.createApiKey(session: session, scopes: ["admin"])
            var statuses: [Int] = []
            for _ in 1...3 { statuses.append(try await server.request(.get, "/v1/events", auth: .bearer(other.key)).status) }
            #expect(statuses.contains(429), "\(statuses)")  // the account's 8 (login and key creation counted too)
            // Another account is untouched.
            let (_, stranger) = try await server.ownerApiKey()
            #expect(try await server.request(.get, "/v1/events", auth: stranger).status == 200)
            // The next window starts afresh; Reset counts down within a window.
            server.clock.advance(by: 45)
            let later = try await server.request(.get, "/v1/events", auth: stranger)
            #expect(later.headers[HTTPField.Name("RateLimit-Reset")!] == "15")
            server.clock.advance(by: 15)
            #expect(try await server.request(.get, "/v1/events", auth: auth).status == 200)
        }
    }

    /// One SQLite file has one server process; the test runs where the suite runs on PostgreSQL.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FISCALMIX_TEST_DATABASE_URL"] != nil))
    func countsAreSharedAcrossServerProcessesOnPostgreSQL() async throws {
        try await TestServer.run(configure: Self.limits) { server in
            #expect(!server.runtime.configuration.usesEmbeddedDatabase)
            server.clock.set(Date(timeIntervalSince1970: (server.clock.now().timeIntervalSince1970 / 60).rounded(.down) * 60 + 60))
            let (_, auth) = try await server.ownerApiKey()
            var configuration = server.runtime.configuration
            configuration.runMigrationsOnStart = false
            let second = try await FiscalMixRuntime.start(configuration, clock: server.clock, logger: server.logs.logger())
            try await second.buildApplication().test(.live) { client in
                var headers = HTTPFields()
                if case .bearer(let token) = auth { headers[.authorization] = "Bearer \(token)" }
                for n in 1...5 {
                    let onFirst = n % 2 == 1
                    let status =
                        onFirst
                        ? try await server.request(.get, "/v1/events", auth: auth).status
                        : try await client.execute(uri: "/v1/events", method: .get, headers: headers) { $0.status.code }
                    #expect(status == 200)
                }
                let sixth = try await client.execute(uri: "/v1/events", method: .get, headers: headers) { $0.status.code }
                #expect(sixth == 429)
            }
        }
    }
}
