import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixConnectors
@testable import FiscalMixDatabase

@Suite struct ConnectorAPITests {
    @Test func connectorsKeepTheirSecretsSealedAndWriteOnly() async throws {
        try await TestServer.run(configure: { $0.secretRefEnvironmentNames = ["BANK_API_KEY"] }) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let token = "erp-token-\(UUID().uuidString)"
            let created = try await server.request(
                .post, "/v1/connectors",
                json: [
                    "name": "ERP", "baseUrl": "https://erp.example.com/api", "timeoutSeconds": 20,
                    "auth": ["type": "bearer", "token": token],
                ], auth: .cookie(session))
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? String)
            let auth = try #require(created.json["auth"] as? [String: Any])
            #expect(auth["type"] as? String == "bearer" && auth["hasToken"] as? Bool == true && auth["secretProvider"] as? String == "db")
            #expect(created.headers[.location] == "/v1/connectors/\(id.lowercased())")

            // The service (and only it) can open the secret; the database holds an envelope.
            let connectorId = try #require(UUID(uuidString: id))
            let connector = try #require(
                try await ConnectorRepository(database: server.runtime.database).find(id: connectorId, accountId: owner.accountId))
            #expect(try await server.runtime.services.connectors.secret(of: connector) == token)
            let stored = try await server.runtime.database.query("SELECT enc_ciphertext, wrapped_dek, kek_id FROM sealed_secrets")
            #expect(stored.count == 1)
            #expect(try stored[0].decode(column: "enc_ciphertext", as: String.self).contains(token) == false)

            // Replace the method: basic auth; the old sealed secret is gone.
            let changed = try await server.request(
                .patch, "/v1/connectors/\(id)",
                json: [
                    "auth": ["type": "basic", "username": "fiscal", "password": "s3cret-\(token)"]
                ], auth: .cookie(session))
            #expect(changed.status == 200)
            let basic = try #require(changed.json["auth"] as? [String: Any])
            #expect(basic["type"] as? String == "basic" && basic["username"] as? String == "fiscal" && basic["hasToken"] as? Bool == true)
            let updated = try #require(
                try await ConnectorRepository(database: server.runtime.database).find(id: connector.id, accountId: owner.accountId))
            #expect(try await server.runtime.services.connectors.secret(of: updated) == "s3cret-\(token)")
            #expect(try await server.runtime.database.query("SELECT id FROM sealed_secrets").count == 1)

            // A secret from the environment is referenced, not copied.
            let fromEnv = try await server.request(
                .post, "/v1/connectors",
                json: [
                    "name": "Bank", "baseUrl": "https://bank.example.com",
                    "auth": ["type": "api_key_header", "header": "X-Api-Key", "secretRef": ["provider": "env", "ref": "BANK_API_KEY"]],
                ], auth: .cookie(session))
            #expect(fromEnv.status == 201)
            #expect((fromEnv.json["auth"] as? [String: Any])?["secretProvider"] as? String == "env")

            let list = try await server.request(.get, "/v1/connectors", auth: .cookie(session))
            #expect(list.items.count == 2)

            // Deleting removes the reference and the sealed secret.
            #expect(try await server.request(.delete, "/v1/connectors/\(id)", auth: .cookie(session)).status == 204)
            #expect(try await server.request(.get, "/v1/connectors/\(id)", auth: .cookie(session)).status == 404)
            #expect(try await server.runtime.database.query("SELECT id FROM sealed_secrets").isEmpty)

            // No secret in any response, log line, or audit row.
            await server.flushRequestLogs()
            let audit = try await server.runtime.database.query("SELECT metadata, diff FROM audit_logs WHERE entity_type = 'connector'")
            #expect(audit.count == 4)
            let auditText = try audit.map { row in
                ["metadata", "diff"].compactMap { try? row.decode(column: $0, as: String?.self) }.joined(separator: " ")
            }.joined(separator: "\n")
            for text in [server.transcript.text, server.logs.text, auditText] {
                #expect(!text.contains(token))
            }
            #expect(auditText.contains("[redacted]"))
        }
    }

    @Test func badInputIsRefusedWithItsFieldAndNothingIsWritten() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let cases: [([String: Any], String)] = [
                (["name": "A", "baseUrl": "ftp://files.example.com"], "baseUrl"),
                (["name": "A", "baseUrl": "https://user:pass@erp.example.com"], "baseUrl"),
                (["name": "A", "baseUrl": "https://erp.example.com", "auth": ["type": "bearer"]], "auth.token"),
                (["name": "A", "baseUrl": "https://erp.example.com", "auth": ["type": "basic", "password": "x"]], "auth.username"),
                (
                    ["name": "A", "baseUrl": "https://erp.example.com", "auth": ["type": "api_key_header", "header": "X Bad", "key": "k"]],
                    "auth.header"
                ),
                (
                    [
                        "name": "A", "baseUrl": "https://erp.example.com",
                        "auth": ["type": "bearer", "token": "t", "secretRef": ["provider": "env", "ref": "T"]],
                    ], "auth.secretRef"
                ),
                (
                    [
                        "name": "A", "baseUrl": "https://erp.example.com",
                        "auth": ["type": "bearer", "secretRef": ["provider": "env", "ref": "1BAD"]],
                    ],
                    "auth.secretRef.ref"
                ),
                (["name": "A", "baseUrl": "https://erp.example.com", "timeoutSeconds": 0], "timeoutSeconds"),
                (["name": "", "baseUrl": "https://erp.example.com"], "name"),
            ]
            for (body, field) in cases {
                let response = try await server.request(.post, "/v1/connectors", json: body, auth: .cookie(session))
                #expect(response.status == 422, "\(body)")
                #expect(
                    response.code == "validation_failed" && (response.json["details"] as? [String: Any])?["field"] as? String == field,
                    "\(response.text)")
            }
            let unknownType = try await server.request(
                .post, "/v1/connectors",
                json: [
                    "name": "A", "baseUrl": "https://x.example.com",
                    "auth": ["type": "kerberos"],
                ], auth: .cookie(session))
            #expect(unknownType.status == 400 || unknownType.status == 422)
            #expect(try await server.runtime.database.query("SELECT id FROM connectors").isEmpty)
            #expect(try await server.runtime.database.query("SELECT id FROM sealed_secrets").isEmpty)

            let body: [String: Any] = ["name": "ERP", "baseUrl": "https://erp.example.com", "auth": ["type": "bearer", "token": "t1"]]
            #expect(try await server.request(.post, "/v1/connectors", json: body, auth: .cookie(session)).status == 201)
            let duplicate = try await server.request(.post, "/v1/connectors", json: body, auth: .cookie(session))
            #expect(duplicate.status == 409 && duplicate.code == "connector_exists")
            // The refused duplicate left no sealed secret behind.
            #expect(try await server.runtime.database.query("SELECT id FROM sealed_secrets").count == 1)
        }
    }

    @Test func anotherAccountsConnectorIsNotFoundAndScopesApply() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let other = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let otherSession = try await server.login(other.email, other.password)
            let created = try await server.request(
                .post, "/v1/connectors", json: ["name": "ERP", "baseUrl": "https://erp.example.com"],
                auth: .cookie(session))
            let id = try #require(created.json["id"] as? String)
            #expect(try await server.request(.get, "/v1/connectors/\(id)", auth: .cookie(otherSession)).status == 404)
            #expect(try await server.request(.patch, "/v1/connectors/\(id)", json: ["name": "Mine"], auth: .cookie(otherSession)).status == 404)
            #expect(try await server.request(.delete, "/v1/connectors/\(id)", auth: .cookie(otherSession)).status == 404)
            #expect(try await server.request(.get, "/v1/connectors", auth: .cookie(otherSession)).items.isEmpty)

            let reader = try await server.createApiKey(session: session, scopes: ["connectors:read"])
            #expect(try await server.request(.get, "/v1/connectors/\(id)", auth: .bearer(reader.key)).status == 200)
            let denied = try await server.request(
                .post, "/v1/connectors", json: ["name": "B", "baseUrl": "https://b.example.com"],
                auth: .bearer(reader.key))
            #expect(denied.status == 403 && denied.code == "insufficient_scope")
        }
    }
}
