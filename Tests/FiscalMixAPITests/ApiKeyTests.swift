import FiscalMixApp
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase

@Suite struct ApiKeyTests {
    @Test func aKeyIsShownOnceStoredHashedAndAuthenticates() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let created = try await server.request(
                .post, "/v1/api-keys", json: ["name": "erp sync", "scopes": ["documents:read", "sync:run"]],
                auth: .cookie(session))
            #expect(created.status == 201)
            #expect(created.headers[.cacheControl] == "no-store")
            let key = try #require(created.json["key"] as? String)
            let apiKey = try #require(created.json["apiKey"] as? [String: Any])
            let id = try #require(apiKey["id"] as? String)
            #expect(key.hasPrefix("fmk_") && key.hasPrefix(apiKey["prefix"] as? String ?? "-"))

            let listed = try await server.request(.get, "/v1/api-keys", auth: .cookie(session))
            #expect(listed.items.count == 1)
            #expect(!listed.text.contains(key))
            let row = try await server.runtime.database.first("SELECT key_hash FROM api_keys WHERE id = \(bind: UUID(uuidString: id)!)")
            #expect(try row?.decode(column: "key_hash", as: String.self) == OpaqueToken.sha256Hex(key))

            let me = try await server.request(.get, "/v1/me", auth: .bearer(key))
            #expect(me.status == 200)
            let principal = try #require(me.json["principal"] as? [String: Any])
            #expect(principal["type"] as? String == "api_key")
            #expect(principal["scopes"] as? [String] == ["documents:read", "sync:run"])

            let fetched = try await server.request(.get, "/v1/api-keys/\(id)", auth: .cookie(session))
            #expect(fetched.json["lastUsedAt"] != nil)
        }
    }

    @Test func aMissingScopeIs403AndARevokedKeyIs401() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let reader = try await server.createApiKey(session: session, scopes: ["companies:read"])
            let write = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "11222333000181", "razaoSocial": "Acme", "uf": "SP"],
                auth: .bearer(reader.key))
            #expect(write.status == 403 && write.code == "insufficient_scope")
            #expect((write.json["details"] as? [String: Any])?["scope"] as? String == "companies:write")
            #expect(try await server.request(.get, "/v1/companies", auth: .bearer(reader.key)).status == 200)
            // Keys cannot manage keys unless they hold admin.
            #expect(try await server.request(.get, "/v1/api-keys", auth: .bearer(reader.key)).status == 403)

            let revoke = try await server.request(.delete, "/v1/api-keys/\(reader.id)", auth: .cookie(session))
            #expect(revoke.status == 200 && revoke.json["status"] as? String == "revoked")
            let after = try await server.request(.get, "/v1/companies", auth: .bearer(reader.key))
            #expect(after.status == 401 && after.code == "api_key_revoked")

            let unknown = try await server.request(.get, "/v1/me", auth: .bearer("fmk_not_a_real_key"))
            #expect(unknown.status == 401 && unknown.code == "invalid_api_key")
            let audit = try await server.request(.get, "/v1/audit-logs", auth: .cookie(session))
            let actions = audit.items.compactMap { $0["action"] as? String }
            #expect(actions.contains("api_key.created") && actions.contains("api_key.revoked"))
        }
    }

    @Test func anExpiredKeyIsRefused() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let expires = server.clock.now().addingTimeInterval(3600).formatted(.iso8601)
            let created = try await server.request(
                .post, "/v1/api-keys", json: ["name": "temp", "scopes": ["admin"], "expiresAt": expires],
                auth: .cookie(session))
            let key = try #require(created.json["key"] as? String)
            #expect(try await server.request(.get, "/v1/me", auth: .bearer(key)).status == 200)
            server.clock.advance(by: 3601)
            #expect(try await server.request(.get, "/v1/me", auth: .bearer(key)).code == "api_key_expired")
        }
    }

    @Test func keysAreValidatedAndCannotExceedTheirCreator() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let unknownScope = try await server.request(.post, "/v1/api-keys", json: ["name": "x", "scopes": ["root"]], auth: .cookie(session))
            #expect(unknownScope.status == 422 && unknownScope.code == "unknown_scope")
            let noScope = try await server.request(.post, "/v1/api-keys", json: ["name": "x", "scopes": []], auth: .cookie(session))
            #expect(noScope.status == 422)
            let member = try await Invitations.addMember(server, ownerSession: session, role: "member")
            let memberSession = try await server.login(member.email, member.password)
            let denied = try await server.request(
                .post, "/v1/api-keys", json: ["name": "x", "scopes": ["documents:read"]],
                auth: .cookie(memberSession))
            #expect(denied.status == 403)
        }
    }
}
