import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixOutbound

/// The SSRF guard refuses internal addresses after resolution unless allow-listed.
@Suite struct AddressGuardTests {
    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.0.10", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
        "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "224.0.0.1",
    ])
    func internalAddressesAreRefused(_ address: String) async throws {
        await #expect {
            _ = try await AddressGuard().check(host: address, port: 80)
        } throws: { error in
            (error as? OutboundError)?.code == .addressRefused
        }
    }

    @Test(arguments: ["8.8.8.8", "200.160.2.3", "2001:4860:4860::8888", "172.32.0.1", "11.0.0.1"])
    func publicAddressesPass(_ address: String) async throws {
        #expect(try await AddressGuard().check(host: address, port: 443) == [address])
    }

    @Test func namesAreCheckedAfterResolution() async throws {
        await #expect {
            _ = try await AddressGuard().check(host: "localhost", port: 80)
        } throws: { error in
            (error as? OutboundError)?.code == .addressRefused
        }
        #expect(try await AddressGuard(allowed: ["127.0.0.0/8", "::1/128"]).check(host: "localhost", port: 80).isEmpty == false)
        // the account's own allow-list
        #expect(try await AddressGuard().check(host: "10.0.0.7", port: 80, extraAllowed: ["10.0.0.0/24"]) == ["10.0.0.7"])
    }

    @Test func theClientRefusesInternalAddressesAndBadURLsByDefault() async throws {
        let client = OutboundClient()
        try await ChaosServer.run { server in
            await #expect {
                _ = try await client.execute(
                    OutboundRequest(url: "\(server.baseURL)/call/x", operation: "test"),
                    policy: .default, context: OutboundContext(policyKey: "k"))
            } throws: { error in
                (error as? OutboundError)?.code == .addressRefused
            }
            #expect(server.stats("x").calls == 0)
        }
        for url in ["ftp://example.com/file", "http://user:pass@example.com/", "file:///etc/passwd", "not a url"] {
            await #expect {
                _ = try await client.execute(
                    OutboundRequest(url: url, operation: "test"), policy: .default,
                    context: OutboundContext(policyKey: "k"))
            } throws: { error in
                (error as? OutboundError)?.code == .invalidURL
            }
        }
        try await client.shutdown()
    }

    @Test func cidrMatching() throws {
        let block = try #require(CIDR("172.16.0.0/12"))
        #expect(block.contains(try #require(IPAddress("172.31.255.255"))))
        #expect(!block.contains(try #require(IPAddress("172.32.0.0"))))
        #expect(!block.contains(try #require(IPAddress("::1"))))
        #expect(try #require(CIDR("fe80::/10")).contains(try #require(IPAddress("febf::1"))))
        #expect(CIDR("10.0.0.0/33") == nil)
        // Found by schemathesis: empty and half-empty entries once crashed the server.
        for malformed in ["", "/", "/8", "10.0.0.0/", "10.0.0.0//8"] {
            #expect(CIDR(malformed) == nil, "\(malformed)")
            #expect(AddressGuard(accountGrantable: ["10.0.0.0/8"]).accountRuleProblem(malformed) != nil)
        }
    }

    /// An account opens only what the deployment offers accounts: a block inside a grantable
    /// one, of the same family (an IPv4-mapped IPv6 block is not inside an IPv4 one).
    @Test func accountRulesMustLieInsideWhatTheDeploymentGrants() async throws {
        let none = AddressGuard()
        #expect(none.accountRuleProblem("127.0.0.0/8")?.reason == .notGrantable)
        let grants = AddressGuard(accountGrantable: ["10.20.0.0/16", "fd00::/8"])
        #expect(grants.accountRuleProblem("10.20.5.0/24") == nil)
        #expect(grants.accountRuleProblem("10.20.5.7") == nil)
        #expect(grants.accountRuleProblem("fd00:1::/32") == nil)
        for outside in ["10.0.0.0/8", "10.21.0.0/16", "127.0.0.1", "::ffff:10.20.0.0/112", "::1/128"] {
            #expect(grants.accountRuleProblem(outside)?.reason == .notGrantable, "\(outside)")
        }
        #expect(grants.accountRuleProblem("10.20.0.0/4")?.reason == .malformed)
        // At call time an account's rule counts only inside the grant.
        #expect(try await grants.check(host: "10.20.5.7", port: 80, accountAllowed: ["10.20.0.0/16"]) == ["10.20.5.7"])
        await #expect(throws: OutboundError.self) { _ = try await grants.check(host: "10.30.0.1", port: 80, accountAllowed: ["10.30.0.0/16"]) }
        await #expect(throws: OutboundError.self) { _ = try await none.check(host: "127.0.0.1", port: 80, accountAllowed: ["127.0.0.0/8"]) }
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(Backoff.retryAfter("7") == .seconds(7))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = Backoff.retryAfter("Tue, 14 Nov 2023 22:13:40 GMT", now: now)
        #expect(later == .seconds(20))
        #expect(Backoff.retryAfter("soon") == nil)
    }

    @Test func policiesAreValidated() {
        #expect(throws: FiscalMixError.self) { try Policy(rateLimit: .init(rate: 0, burst: 1)).validate() }
        #expect(throws: FiscalMixError.self) { try Policy(timeouts: .init(connectMs: 10, attemptMs: 5000, totalMs: 1000)).validate() }
        #expect(throws: FiscalMixError.self) {
            try Policy(circuitBreaker: .init(failureRateThreshold: 1.5)).validate()
        }
        #expect(throws: Never.self) { try Policy.default.validate() }
    }
}
