import FiscalMixApp
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase

@Suite struct ConventionsTests {
    @Test func requestIdsAreEchoedOrMadeAndTraceContextContinues() async throws {
        try await TestServer.run { server in
            let given = try await server.request(.get, "/healthz", headers: ["X-Request-Id": "req-abc-123"])
            #expect(given.headers[.init("X-Request-Id")!] == "req-abc-123")
            let made = try await server.request(.get, "/healthz")
            #expect(made.headers[.init("X-Request-Id")!]?.count == 36)
            let hostile = try await server.request(.get, "/healthz", headers: ["X-Request-Id": String(repeating: "x", count: 300)])
            #expect(hostile.headers[.init("X-Request-Id")!]?.count == 36)
            let traced = try await server.request(
                .get, "/healthz", headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            let traceparent = try #require(traced.headers[.init("traceparent")!])
            #expect(traceparent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
            #expect(!traceparent.contains("00f067aa0ba902b7"))
        }
    }

    @Test func errorsAreProblemDocumentsWithStableCodes() async throws {
        try await TestServer.run { server in
            let missing = try await server.request(.get, "/v1/no-such-thing")
            #expect(missing.status == 404)
            #expect(missing.headers[.contentType] == "application/problem+json")
            #expect(missing.json["type"] as? String == "https://fiscalmix.dev/problems/not_found")
            #expect(missing.json["status"] as? Int == 404 && missing.json["title"] as? String == "Not Found")
            #expect(missing.json["requestId"] as? String == missing.headers[.init("X-Request-Id")!])
            let badId = try await server.request(.get, "/v1/api-keys/not-a-uuid", auth: nil)
            #expect(badId.status == 401)
            let huge = try await server.request(.post, "/v1/auth/login", rawBody: "{\"email\":\"" + String(repeating: "a", count: 2 << 20) + "\"}")
            #expect(huge.status == 400 || huge.status == 413)
        }
    }

    @Test func healthReadinessAndTheOpenAPIDocument() async throws {
        try await TestServer.run { server in
            #expect(try await server.request(.get, "/healthz").json["status"] as? String == "ok")
            let ready = try await server.request(.get, "/readyz")
            #expect(ready.status == 200 && ready.json["database"] as? String == server.runtime.database.dialect.rawValue)
            let doc = try await server.request(.get, "/openapi.yaml")
            #expect(doc.status == 200 && doc.text.hasPrefix("openapi: 3.1"))
            #expect(doc.text.contains("/v1/api-keys/{id}:"))
        }
    }

    /// RFC 9562's canonical form is lower case: every id the API writes is, and either case is
    /// accepted on the way in.
    @Test func identifiersAreLowerCaseOutAndEitherCaseIn() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let key = try await server.createApiKey(session: session, scopes: ["admin"])
            let created = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "11222333000181", "razaoSocial": "Acme", "uf": "SP"], auth: .bearer(key.key))
            let companyId = try #require(created.json["id"] as? String)
            let uuid = try Regex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
            var seen = 0
            for path in ["/v1/me", "/v1/companies", "/v1/companies/\(companyId)", "/v1/api-keys", "/v1/audit-logs"] {
                let answer = try await server.request(.get, path, auth: .bearer(key.key))
                #expect(answer.status == 200, "\(path)")
                for match in answer.text.matches(of: uuid) {
                    seen += 1
                    #expect(answer.text[match.range] == answer.text[match.range].lowercased(), "\(path): \(answer.text[match.range])")
                }
            }
            #expect(seen >= 5)
            let upper = try await server.request(.get, "/v1/companies/\(companyId.uppercased())", auth: .bearer(key.key))
            #expect(upper.status == 200 && upper.json["id"] as? String == companyId)
        }
    }

    /// A query parameter a route does not read is refused, on lists and single reads alike.
    @Test func unknownQueryParametersAreRefused() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let key = try await server.createApiKey(session: session, scopes: ["admin"])
            for path in ["/v1/companies?page=2", "/v1/jobs?state=failed", "/v1/events?event_type=x", "/v1/me?verbose=1", "/v1/companies?limit=5&x=1"] {
                let refused = try await server.request(.get, path, auth: .bearer(key.key))
                #expect(refused.status == 400 && refused.code == "unknown_parameter", "\(path): \(refused.text)")
            }
            #expect(try await server.request(.get, "/v1/jobs?status=failed&limit=5", auth: .bearer(key.key)).status == 200)
            #expect(try await server.request(.get, "/v1/certificates?expiring_within=30d", auth: .bearer(key.key)).headers[.init("Deprecation")!] == "@1796688000")
        }
    }

    @Test func idempotencyKeysReplayTheFirstResponseAndRefuseADifferentBody() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let key = try await server.createApiKey(session: session, scopes: ["admin"])
            let body: [String: Any] = ["cnpj": "11222333000181", "razaoSocial": "Acme", "uf": "SP"]
            let first = try await server.request(.post, "/v1/companies", json: body, auth: .bearer(key.key), headers: ["Idempotency-Key": "k-1"])
            #expect(first.status == 201)
            let second = try await server.request(.post, "/v1/companies", json: body, auth: .bearer(key.key), headers: ["Idempotency-Key": "k-1"])
            #expect(second.status == 201)
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(second.json["id"] as? String == first.json["id"] as? String)
            #expect(try await server.request(.get, "/v1/companies", auth: .bearer(key.key)).items.count == 1)

            var other = body
            other["razaoSocial"] = "Acme 2"
            let mismatch = try await server.request(.post, "/v1/companies", json: other, auth: .bearer(key.key), headers: ["Idempotency-Key": "k-1"])
            #expect(mismatch.status == 422 && mismatch.code == "idempotency_key_reused")
            // Errors are replayed too: the same failing request gives the same answer.
            let conflict = try await server.request(.post, "/v1/companies", json: body, auth: .bearer(key.key), headers: ["Idempotency-Key": "k-2"])
            #expect(conflict.status == 409)
            // Keys are per caller: another key may use the same name.
            let key2 = try await server.createApiKey(session: session, scopes: ["admin"])
            var third = body
            third["cnpj"] = "12ABC34501DE35"
            #expect(
                try await server.request(.post, "/v1/companies", json: third, auth: .bearer(key2.key), headers: ["Idempotency-Key": "k-1"]).status
                    == 201)
        }
    }

    @Test func aReplayedKeyCreationOmitsTheSecret() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let body: [String: Any] = ["name": "ci", "scopes": ["admin"]]
            let first = try await server.request(.post, "/v1/api-keys", json: body, auth: .cookie(session), headers: ["Idempotency-Key": "mk"])
            let secret = try #require(first.json["key"] as? String)
            let replay = try await server.request(.post, "/v1/api-keys", json: body, auth: .cookie(session), headers: ["Idempotency-Key": "mk"])
            #expect(replay.status == 201 && replay.json["key"] == nil && replay.json["secretOmitted"] as? Bool == true)
            #expect((replay.json["apiKey"] as? [String: Any])?["id"] as? String == (first.json["apiKey"] as? [String: Any])?["id"] as? String)
            let stored = try await server.runtime.database.query("SELECT response_body FROM idempotency_keys")
            #expect(try stored.allSatisfy { try !$0.decode(column: "response_body", as: String.self).contains(secret) })
            #expect(try await server.request(.get, "/v1/api-keys", auth: .cookie(session)).items.count == 1)
        }
    }

    @Test func listsPageWithOpaqueCursors() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            for i in 0..<5 { _ = try await server.createApiKey(session: session, scopes: ["documents:read"], name: "key \(i)") }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await server.request(.get, "/v1/api-keys?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), auth: .cookie(session))
                #expect(page.status == 200)
                seen += page.items.compactMap { $0["name"] as? String }
                cursor = page.json["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == (0..<5).reversed().map { "key \($0)" })
            #expect(try await server.request(.get, "/v1/api-keys?limit=201", auth: .cookie(session)).status == 422)
            #expect(try await server.request(.get, "/v1/api-keys?limit=0", auth: .cookie(session)).status == 422)
            #expect(try await server.request(.get, "/v1/api-keys?cursor=%%%", auth: .cookie(session)).status == 422)
        }
    }

    @Test func everyAPICallWritesARequestLogRow() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let key = try await server.createApiKey(session: session, scopes: ["admin"])
            _ = try await server.request(.get, "/v1/api-keys/\(key.id)", auth: .bearer(key.key), headers: ["X-Request-Id": "trace-me-1"])
            _ = try await server.request(.get, "/v1/users/00000000-0000-7000-8000-000000000000", auth: .bearer(key.key))
            await server.flushRequestLogs()
            let logs = try await server.request(.get, "/v1/request-logs?limit=200", auth: .bearer(key.key))
            let row = try #require(logs.items.first { $0["requestId"] as? String == "trace-me-1" })
            #expect(row["operation"] as? String == "GET /v1/api-keys/{id}")
            #expect(row["httpStatus"] as? Int == 200 && row["status"] as? String == "ok")
            #expect(row["actorType"] as? String == "api_key" && row["actorId"] as? String == key.id.lowercased())
            #expect(row["latencyMs"] is Int)
            #expect(logs.items.contains { $0["operation"] as? String == "GET /v1/users/{id}" && $0["httpStatus"] as? Int == 404 })
            #expect(logs.items.contains { $0["operation"] as? String == "POST /v1/api-keys" && $0["actorType"] as? String == "user" })
        }
    }
}
