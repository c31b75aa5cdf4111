import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixOutbound
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixConnectors
@testable import FiscalMixDatabase

/// Policies and `POST /v1/connectors/{id}/test`: a real call through authentication, policy,
/// SSRF guard and request log, against a local server (loopback allow-listed for the test).
@Suite struct ConnectorCallTests {
    static func allowLoopback(_ configuration: inout AppConfiguration) { configuration.outboundAllow = ["127.0.0.0/8"] }

    @Test func policiesAreVersionedValidatedAndScopedToTheAccount() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let first = try await server.request(
                .post, "/v1/policies",
                json: [
                    "name": "erp", "retry": ["maxAttempts": 4, "baseDelayMs": 50, "maxDelayMs": 500, "maxRetryAfterMs": 5000],
                    "rateLimit": ["rate": 5, "burst": 10],
                ], auth: .cookie(session))
            #expect(first.status == 201)
            #expect(first.json["version"] as? Int == 1)
            #expect((first.json["rateLimit"] as? [String: Any])?["burst"] as? Int == 10)
            let second = try await server.request(.post, "/v1/policies", json: ["name": "erp"], auth: .cookie(session))
            #expect(second.json["version"] as? Int == 2)
            #expect((second.json["timeouts"] as? [String: Any])?["totalMs"] as? Int == 90_000)  // defaults filled in

            let bad = try await server.request(
                .post, "/v1/policies", json: ["name": "x", "circuitBreaker": ["failureRateThreshold": 2]],
                auth: .cookie(session))
            #expect(bad.status == 422)
            #expect((bad.json["details"] as? [String: Any])?["field"] as? String == "circuitBreaker.failureRateThreshold")

            // another account sees none of it and cannot attach it
            let other = try await server.createAccount()
            let otherSession = try await server.login(other.email, other.password)
            let policyId = try #require(first.json["id"] as? String)
            #expect(try await server.request(.get, "/v1/policies/\(policyId)", auth: .cookie(otherSession)).status == 404)
            #expect(try await server.request(.delete, "/v1/policies/\(policyId)", auth: .cookie(otherSession)).status == 404)
            let foreign = try await server.request(
                .post, "/v1/connectors",
                json: [
                    "name": "ERP", "baseUrl": "https://erp.example.com", "policyId": policyId,
                ], auth: .cookie(otherSession))
            #expect(foreign.status == 404)
            let attached = try await server.request(
                .post, "/v1/connectors",
                json: [
                    "name": "ERP", "baseUrl": "https://erp.example.com", "policyId": policyId,
                ], auth: .cookie(session))
            #expect(attached.status == 201 && attached.json["policyId"] as? String == policyId.lowercased())
            #expect(try await server.request(.get, "/v1/policies", auth: .cookie(session)).items.count == 2)
        }
    }

    @Test func aTestCallGoesThroughTheWholeStack() async throws {
        try await ChaosServer.run { chaos in
            try await TestServer.run(configure: Self.allowLoopback) { server in
                let owner = try await server.createAccount()
                let session = try await server.login(owner.email, owner.password)
                let token = "bearer-\(UUID().uuidString)"
                let policy = try await server.request(
                    .post, "/v1/policies",
                    json: [
                        "name": "fast", "retry": ["maxAttempts": 3, "baseDelayMs": 10, "maxDelayMs": 50, "maxRetryAfterMs": 1000],
                        "circuitBreaker": ["failureRateThreshold": 1, "windowSize": 2, "minimumCalls": 2, "openMs": 60000, "halfOpenProbes": 1],
                    ], auth: .cookie(session))
                let created = try await server.request(
                    .post, "/v1/connectors",
                    json: [
                        "name": "Local", "baseUrl": chaos.baseURL, "auth": ["type": "bearer", "token": token],
                        "policyId": try #require(policy.json["id"] as? String),
                    ], auth: .cookie(session))
                let id = try #require(created.json["id"] as? String)

                let ok = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/ping"], auth: .cookie(session))
                #expect(ok.status == 200)
                #expect(ok.json["ok"] as? Bool == true && ok.json["httpStatus"] as? Int == 200)
                #expect(ok.json["attempts"] as? Int == 1 && ok.json["retries"] as? Int == 0 && ok.json["breaker"] as? String == "closed")
                #expect(ok.json["latencyMs"] is Int)
                #expect(chaos.stats("ping").lastAuthorization == "Bearer \(token)")

                let flaky = try await server.request(
                    .post, "/v1/connectors/\(id)/test", json: ["path": "/call/flaky?failures=1"],
                    auth: .cookie(session))
                #expect(flaky.json["ok"] as? Bool == true && flaky.json["retries"] as? Int == 1)

                // two failing calls (three attempts each would be six; the breaker opens after two)
                let down = try await server.request(
                    .post, "/v1/connectors/\(id)/test", json: ["path": "/call/down?status=500"],
                    auth: .cookie(session))
                #expect(down.json["ok"] as? Bool == false && down.json["httpStatus"] as? Int == 500)
                #expect(down.json["breaker"] as? String == "open")
                let refused = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/ping"], auth: .cookie(session))
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "circuit_open")

                // every outside call is a request-log row of its own
                await server.flushRequestLogs()
                let rows = try await server.runtime.database.query(
                    """
                    SELECT operation, status, http_status, retry_count FROM request_logs
                    WHERE direction = 'outbound' AND connector_id = \(bind: try #require(UUID(uuidString: id)))
                    """)
                #expect(rows.count == 4)
                #expect(try rows.contains { try $0.decode(column: "retry_count", as: Int.self) == 1 })
                #expect(!server.transcript.text.contains(token) && !server.logs.text.contains(token))

                // not this connector's: 404
                let other = try await server.createAccount()
                let otherSession = try await server.login(other.email, other.password)
                #expect(try await server.request(.post, "/v1/connectors/\(id)/test", json: [:], auth: .cookie(otherSession)).status == 404)
            }
        }
    }

    @Test func internalAddressesAreRefusedUnlessAllowed() async throws {
        try await ChaosServer.run { chaos in
            // The deployment lets accounts open loopback, and nothing else.
            try await TestServer.run(configure: { $0.outboundAccountGrantable = ["127.0.0.0/8"] }) { server in
                let owner = try await server.createAccount()
                let session = try await server.login(owner.email, owner.password)
                let created = try await server.request(
                    .post, "/v1/connectors", json: ["name": "Local", "baseUrl": chaos.baseURL],
                    auth: .cookie(session))
                let id = try #require(created.json["id"] as? String)
                let refused = try await server.request(.post, "/v1/connectors/\(id)/test", auth: .cookie(session))
                #expect(refused.status == 200 && refused.json["ok"] as? Bool == false)
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "address_refused")
                #expect(chaos.stats("default").calls == 0)

                // The account allows loopback for itself: its connector now reaches the server.
                #expect(try await server.request(.get, "/v1/outbound-settings", auth: .cookie(session)).json["allowedAddresses"] as? [String] == [])
                for (bad, why) in [
                    ("localhost", "not an address"), ("0.0.0.0/0", "wider"), ("10.0.0.0/4", "wider"),
                    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
                    ("", "not an address"), ("10.0.0.0/8", "outside what this deployment"),
                    ("::ffff:127.0.0.0/104", "outside what this deployment"), ("::1/128", "outside what this deployment"),
                ] {
                    let refusedRule = try await server.request(
                        .put, "/v1/outbound-settings", json: ["allowedAddresses": ["127.0.0.1/32", bad]],
                        auth: .cookie(session))
                    #expect(
                        refusedRule.status == 422 && (refusedRule.json["details"] as? [String: Any])?["field"] as? String == "allowedAddresses[1]"
                            && refusedRule.text.contains(why), "\(bad): \(refusedRule.text)")
                }
                let notGrantable = try await server.request(
                    .put, "/v1/outbound-settings", json: ["allowedAddresses": ["192.168.0.0/16"]],
                    auth: .cookie(session))
                #expect(notGrantable.status == 422 && notGrantable.code == "address_not_grantable", "\(notGrantable.text)")
                let limited = try await server.createApiKey(session: session, scopes: ["connectors:write"])
                #expect(
                    try await server.request(
                        .put, "/v1/outbound-settings", json: ["allowedAddresses": ["127.0.0.0/8"]],
                        auth: .bearer(limited.key)
                    ).status == 403)
                let saved = try await server.request(
                    .put, "/v1/outbound-settings", json: ["allowedAddresses": ["127.0.0.0/8", " 127.0.0.0/8 "]],
                    auth: .cookie(session))
                #expect(saved.status == 200 && saved.json["allowedAddresses"] as? [String] == ["127.0.0.0/8"])
                let allowed = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/ping"], auth: .cookie(session))
                #expect(allowed.json["ok"] as? Bool == true && chaos.stats("ping").calls == 1, "\(allowed.text)")
                let audited = try await server.request(.get, "/v1/audit-logs?action=account.outbound_allow_changed", auth: .cookie(session)).items
                #expect(audited.count == 1)

                // Another account's connector to the same server is still refused.
                let other = try await server.createAccount()
                let otherSession = try await server.login(other.email, other.password)
                let theirs = try await server.request(
                    .post, "/v1/connectors", json: ["name": "Local", "baseUrl": chaos.baseURL], auth: .cookie(otherSession))
                let theirId = try #require(theirs.json["id"] as? String)
                let stillRefused = try await server.request(
                    .post, "/v1/connectors/\(theirId)/test", json: ["path": "/call/ping"], auth: .cookie(otherSession))
                #expect((stillRefused.json["error"] as? [String: Any])?["code"] as? String == "address_refused")
                #expect(chaos.stats("ping").calls == 1)

                // Clearing the list closes the door again.
                #expect(try await server.request(.put, "/v1/outbound-settings", json: ["allowedAddresses": []], auth: .cookie(session)).status == 200)
                let closed = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/ping"], auth: .cookie(session))
                #expect((closed.json["error"] as? [String: Any])?["code"] as? String == "address_refused")
            }
        }
    }

    @Test func anApiKeyInTheQueryIsSentButNotLogged() async throws {
        try await ChaosServer.run { chaos in
            try await TestServer.run(configure: Self.allowLoopback) { server in
                let owner = try await server.createAccount()
                let session = try await server.login(owner.email, owner.password)
                let key = "qk-\(UUID().uuidString)"
                let created = try await server.request(
                    .post, "/v1/connectors",
                    json: [
                        "name": "Query", "baseUrl": chaos.baseURL, "auth": ["type": "api_key_query", "param": "apikey", "key": key],
                    ], auth: .cookie(session))
                let id = try #require(created.json["id"] as? String)
                let result = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "call/q"], auth: .cookie(session))
                #expect(result.json["ok"] as? Bool == true)
                #expect(chaos.stats("q").lastQuery == "apikey=\(key)")
                await server.flushRequestLogs()
                let paths = try await server.runtime.database.query("SELECT path FROM request_logs WHERE direction = 'outbound'")
                #expect(paths.count == 1)
                #expect(try !paths[0].decode(column: "path", as: String.self).contains(key))
            }
        }
    }

    @Test func oauthTokensAreCachedAndRefreshedOnceOn401() async throws {
        try await ChaosServer.run { chaos in
            try await TestServer.run(configure: Self.allowLoopback) { server in
                let owner = try await server.createAccount()
                let session = try await server.login(owner.email, owner.password)
                let created = try await server.request(
                    .post, "/v1/connectors",
                    json: [
                        "name": "OAuth", "baseUrl": chaos.baseURL,
                        "auth": [
                            "type": "oauth2_client_credentials", "tokenUrl": "\(chaos.baseURL)/oauth/token",
                            "clientId": ChaosServer.oauthClient.id, "clientSecret": ChaosServer.oauthClient.secret, "scope": "read",
                        ],
                    ], auth: .cookie(session))
                #expect(created.status == 201)
                let id = try #require(created.json["id"] as? String)
                for _ in 0..<2 {
                    let result = try await server.request(
                        .post, "/v1/connectors/\(id)/test", json: ["path": "/oauth/resource"], auth: .cookie(session))
                    #expect(result.json["httpStatus"] as? Int == 200)
                }
                #expect(chaos.tokensIssued == 1)  // cached
                chaos.revokeTokens()
                let refreshed = try await server.request(
                    .post, "/v1/connectors/\(id)/test", json: ["path": "/oauth/resource"], auth: .cookie(session))
                #expect(refreshed.json["httpStatus"] as? Int == 200)
                #expect(chaos.tokensIssued == 2)  // one new token after the 401
                #expect(chaos.stats("resource").calls == 4)

                // The token is kept sealed in connector_tokens: another process (or this one
                // after a restart) uses it without asking for a new one.
                let connectorId = try #require(UUID(uuidString: id))
                let connector = try #require(
                    try await ConnectorRepository(database: server.runtime.database).find(id: connectorId, accountId: owner.accountId))
                let secret = try await server.runtime.services.connectors.secret(of: connector)
                let rows = try await server.runtime.database.query("SELECT * FROM connector_tokens WHERE connector_id = \(bind: connectorId)")
                #expect(rows.count == 1)
                #expect(try rows[0].decode(column: "kek_id", as: String.self) == server.runtime.envelopes.keys.currentKeyId)
                #expect(try rows[0].decode(column: "secret_ref_id", as: UUID?.self) == connector.secretRefId)
                let otherProcess = ConnectorCaller(client: server.runtime.outbound, vault: server.runtime.vault)
                let call = ConnectorCaller.Call(path: "/oauth/resource", operation: "connector.test")
                #expect(try await otherProcess.call(connector, secret: secret, policy: .default, call, requestId: "r1").status == 200)
                #expect(chaos.tokensIssued == 2)

                // A stored token that was tampered with, or moved to another connector, fails closed, naming its row.
                try await server.runtime.database.execute(
                    """
                    UPDATE connector_tokens SET enc_ciphertext = \(bind: "AAAA" + String(try rows[0].decode(column: "enc_ciphertext", as: String.self).dropFirst(4)))
                    WHERE connector_id = \(bind: connectorId)
                    """)
                await #expect(
                    performing: {
                        _ = try await ConnectorCaller(client: server.runtime.outbound, vault: server.runtime.vault)
                            .call(connector, secret: secret, policy: .default, call, requestId: "r2")
                    },
                    throws: {
                        ($0 as? EnvelopeError)
                            == .authenticationFailed(
                                table: "connector_tokens",
                                rowId: "\(id.lowercased())/\(connector.secretRefId?.lowercased ?? "-")")
                    })

                // New credentials: the stored token belongs to the old ones and is not used.
                let changed = try await server.request(
                    .patch, "/v1/connectors/\(id)",
                    json: [
                        "auth": [
                            "type": "oauth2_client_credentials", "tokenUrl": "\(chaos.baseURL)/oauth/token",
                            "clientId": ChaosServer.oauthClient.id, "clientSecret": ChaosServer.oauthClient.secret, "scope": "read",
                        ]
                    ], auth: .cookie(session))
                #expect(changed.status == 200)
                let afterChange = try await server.request(
                    .post, "/v1/connectors/\(id)/test", json: ["path": "/oauth/resource"], auth: .cookie(session))
                #expect(afterChange.json["httpStatus"] as? Int == 200)
                #expect(chaos.tokensIssued == 3)
                #expect(!server.transcript.text.contains(ChaosServer.oauthClient.secret))
                #expect(!server.logs.text.contains(ChaosServer.oauthClient.secret))
            }
        }
    }
}
