import FiscalMixApp
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase

/// Runs every credential through the server, then searches the logs (captured at trace level),
/// the audit and request-log tables and every response for them.
@Suite struct SecretLeakTests {
    @Test func noPasswordTokenOrKeyLeaks() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount(staff: true)
            var secrets: [String: String] = ["password": owner.password]

            _ = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": "wrong-\(owner.password)"])
            secrets["wrong password"] = "wrong-\(owner.password)"
            let session = try await server.login(owner.email, owner.password)
            secrets["session"] = session
            let key = try await server.createApiKey(session: session, scopes: ["admin"])
            secrets["api key"] = key.key
            _ = try await server.request(.get, "/v1/me", auth: .bearer(key.key))
            _ = try await server.request(.delete, "/v1/api-keys/\(key.id)", auth: .cookie(session))
            _ = try await server.request(.get, "/v1/me", auth: .bearer(key.key))

            let (totp, codes) = try await MFATests.enrol(server, session: session)
            secrets["totp secret"] = Base32.encode(totp.secret)
            secrets["recovery code"] = codes[0]
            server.clock.advance(by: 30)
            let step1 = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            let mfaToken = try #require(step1.json["mfaToken"] as? String)
            secrets["mfa token"] = mfaToken
            let signedIn = try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": mfaToken, "recoveryCode": codes[0]])
            let session2 = try #require(signedIn.cookie("fm_session"))
            secrets["second session"] = session2

            let invite = try await server.request(
                .post, "/v1/invites", json: ["email": "new@example.com", "role": "member"], auth: .cookie(session2))
            let inviteToken = try #require(invite.json["token"] as? String)
            secrets["invite token"] = inviteToken
            secrets["invitee password"] = "invitee long password"
            _ = try await server.request(
                .post, "/v1/invites/accept", json: ["token": inviteToken, "name": "New", "password": "invitee long password"])
            _ = try await server.request(.post, "/v1/auth/login", json: ["email": "new@example.com", "password": "invitee long password"])
            await server.flushRequestLogs()

            let logText = server.logs.text
            #expect(!logText.isEmpty)
            let audit = try await server.runtime.database.query("SELECT metadata, diff, reason, user_agent FROM audit_logs")
            let auditText = try audit.map { row in
                ["metadata", "diff", "reason", "user_agent"].compactMap { try? row.decode(column: $0, as: String?.self) }.joined(separator: " ")
            }.joined(separator: "\n")
            #expect(!auditText.isEmpty)
            let requestLogs = try await server.runtime.database.query("SELECT path, operation, idempotency_key FROM request_logs")
            let requestLogText = try requestLogs.map { try $0.decode(column: "path", as: String?.self) ?? "" }.joined(separator: "\n")
            #expect(!requestLogText.isEmpty)

            // Responses may carry a secret only where it is handed over: the creation answers and
            // the Set-Cookie header. Everything else must be clean.
            let responses = server.transcript.text
            for (name, secret) in secrets {
                #expect(!logText.contains(secret), "\(name) appears in the logs")
                #expect(!auditText.contains(secret), "\(name) appears in audit rows")
                #expect(!requestLogText.contains(secret), "\(name) appears in request logs")
            }
            for name in ["password", "wrong password", "invitee password"] {
                #expect(!responses.contains(secrets[name]!), "\(name) appears in a response")
            }
            // Each handed-over secret appears exactly where it was handed over, once.
            #expect(responses.components(separatedBy: key.key).count - 1 == 1)
            #expect(responses.components(separatedBy: inviteToken).count - 1 == 1)
        }
    }
}

extension SecretLeakTests {
    /// The integration secrets — a connector's token, a webhook endpoint's signing secret and
    /// custom header values, an inbox provider's secret — used for real (a connector call, a
    /// delivery, a signed inbound message), then searched for in every log line, every response
    /// but the one that handed each over, and every row of every table.
    @Test func integrationSecretsAppearNowhereButWhereTheyAreHandedOver() async throws {
        try await ChaosServer.run { chaos in
            try await WebhookReceiver.run { receiver in
                try await TestServer.run(workers: true, configure: ConnectorCallTests.allowLoopback) { server in
                    let (_, auth) = try await server.ownerApiKey()
                    var secrets: [String: String] = [:]

                    let token = "connector-token-\(UUID().uuidString)"
                    secrets["connector token"] = token
                    let connector = try await server.request(
                        .post, "/v1/connectors",
                        json: [
                            "name": "ERP", "baseUrl": chaos.baseURL, "auth": ["type": "bearer", "token": token],
                        ], auth: auth)
                    let connectorId = try #require(connector.json["id"] as? String)
                    _ = try await server.request(.post, "/v1/connectors/\(connectorId)/test", json: ["path": "/call/leak-check"], auth: auth)
                    #expect(chaos.stats("leak-check").lastAuthorization == "Bearer \(token)")

                    let header = "header-secret-\(UUID().uuidString)"
                    secrets["webhook header value"] = header
                    try await server.createEventType(auth, "leak.checked")
                    let endpoint = try await server.createEndpoint(
                        auth, url: receiver.url("leak"), eventTypes: ["leak.checked"],
                        extra: ["headers": ["Authorization": "Bearer \(header)"]])
                    secrets["webhook signing secret"] = try #require(endpoint.secret)
                    try await server.postEvent(auth, type: "leak.checked", payload: ["ok": true])
                    #expect(try await receiver.waitFor("leak", count: 1)[0].header("Authorization") == "Bearer \(header)")

                    let inboxSecret = "inbox-secret-\(UUID().uuidString)"
                    secrets["inbox secret"] = inboxSecret
                    let provider = try await server.request(
                        .post, "/v1/inbox-providers",
                        json: [
                            "name": "erp", "verifier": "hmac_sha256", "secret": inboxSecret, "eventIdHeader": "X-Delivery",
                        ], auth: auth)
                    let inboxPath = try #require(provider.json["inboxPath"] as? String)
                    let body = #"{"n":1}"#
                    let signed = try await server.request(
                        .post, inboxPath,
                        headers: [
                            "Content-Type": "application/json", "X-Delivery": "d-1",
                            "X-Hub-Signature-256": "sha256=" + InboxTests.hmacHex(inboxSecret, Array(body.utf8)),
                        ], rawBytes: Data(body.utf8))
                    #expect(signed.status == 202)
                    await server.flushRequestLogs()

                    let everything = try await server.databaseText()
                    #expect(everything.contains(connectorId.lowercased()) || everything.contains(connectorId.uppercased()), "the dump read no rows")
                    for (name, secret) in secrets {
                        #expect(!server.logs.text.contains(secret), "\(name) appears in the logs")
                        #expect(!everything.contains(secret), "\(name) appears in a database row")
                    }
                    for name in ["connector token", "webhook header value", "inbox secret"] {
                        #expect(!server.transcript.text.contains(secrets[name]!), "\(name) appears in a response")
                    }
                    #expect(server.transcript.text.components(separatedBy: secrets["webhook signing secret"]!).count - 1 == 1)
                }
            }
        }
    }
}

extension TestServer {
    /// Every row of every table as text (PostgreSQL: each row as JSON; SQLite: each column
    /// that reads as text or bytes), for searches that must cover the whole database.
    func databaseText() async throws -> String {
        let database = runtime.database
        var text = ""
        switch database.dialect {
        case .postgres:
            let tables = try await database.query(
                """
                SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                """
            ).map { try $0.decode(column: "table_name", as: String.self) }
            for table in tables {
                for row in try await database.query("SELECT row_to_json(t)::text AS j FROM \(ident: table) t") {
                    text += try row.decode(column: "j", as: String.self) + "\n"
                }
            }
        case .sqlite:
            let tables = try await database.query("SELECT name FROM sqlite_master WHERE type = 'table'")
                .map { try $0.decode(column: "name", as: String.self) }
            for table in tables {
                for row in try await database.query("SELECT * FROM \(ident: table)") {
                    for column in row.allColumns {
                        if let value = try? row.decode(column: column, as: String?.self) {
                            text += (value ?? "") + " "
                        } else if let bytes = try? row.decode(column: column, as: Data?.self) {
                            text += String(decoding: bytes ?? Data(), as: UTF8.self) + " "
                        }
                    }
                    text += "\n"
                }
            }
        }
        return text
    }
}
