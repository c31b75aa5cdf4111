import FiscalMixApp
import FiscalMixSecrets
import FiscalMixStorage
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing
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

            let invite = try await server.request(.post, "/v1/invites", json: ["email": "new@example.com", "role": "member"], auth: .cookie(session2))
            let inviteToken = try #require(invite.json["token"] as? String)
            secrets["invite token"] = inviteToken
            secrets["invitee password"] = "invitee long password"
            _ = try await server.request(.post, "/v1/invites/accept", json: ["token": inviteToken, "name": "New", "password": "invitee long password"])
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
