import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import Testing

/// An operator tailing the log sees the traffic: one line per request at info, with the route
/// (not the raw path), status, duration, request and account ids — and can switch it off.
@Suite struct AccessLogTests {
    @Test func eachRequestIsOneLineWithItsRouteStatusAndIds() async throws {
        try await TestServer.run { server in
            let (owner, auth) = try await server.ownerApiKey()
            let me = try await server.request(.get, "/v1/me", auth: auth)
            let requestId = try #require(me.headers[HTTPField.Name("X-Request-Id")!])
            _ = try await server.request(.get, "/v1/connectors/\(UUID().uuidString)", auth: auth)
            let lines = server.logs.text.split(separator: "\n").filter { $0.contains("request") && $0.contains("duration_ms") }
            let line = try #require(lines.first { $0.contains(requestId) }, "\(server.logs.text.suffix(2000))")
            #expect(line.contains("/v1/me") && line.contains("200") && line.contains(owner.accountId.lowercased))
            // The route, never the ids in the raw path.
            #expect(lines.contains { $0.contains("/v1/connectors/{id}") && $0.contains("404") })
        }
    }

    @Test func theAccessLogCanBeSwitchedOff() async throws {
        try await TestServer.run(configure: { $0.accessLog = false }) { server in
            let (_, auth) = try await server.ownerApiKey()
            #expect(try await server.request(.get, "/v1/me", auth: auth).status == 200)
            #expect(!server.logs.text.contains("duration_ms"))
        }
    }
}
