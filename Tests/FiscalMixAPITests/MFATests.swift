import FiscalMixApp
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase

@Suite struct MFATests {
    /// Enrols TOTP for the signed-in user and returns the secret and recovery codes.
    static func enrol(_ server: TestServer, session: String) async throws -> (totp: TOTP, recoveryCodes: [String]) {
        let enroll = try await server.request(.post, "/v1/me/mfa/enroll", auth: .cookie(session))
        #expect(enroll.status == 200)
        let uri = try #require(enroll.json["otpauthUri"] as? String)
        #expect(uri.hasPrefix("otpauth://totp/FiscalMix:"))
        let secretText = try #require(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
        let totp = TOTP(secret: try #require(Base32.decode(secretText)))

        let wrong = try await server.request(.post, "/v1/me/mfa/confirm", json: ["code": "000000"], auth: .cookie(session))
        #expect(wrong.status == 422 && wrong.code == "mfa_code_invalid")
        let confirm = try await server.request(
            .post, "/v1/me/mfa/confirm", json: ["code": totp.code(step: TOTP.step(at: server.clock.now()))],
            auth: .cookie(session))
        #expect(confirm.status == 200)
        let codes = try #require(confirm.json["recoveryCodes"] as? [String])
        #expect(codes.count == 10 && Set(codes).count == 10)
        return (totp, codes)
    }

    @Test func loginWithMFATakesTwoStepsAndACodeWorksOnce() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let (totp, _) = try await Self.enrol(server, session: session)
            // The enrolment code was used; move to the next step so the next code is fresh.
            server.clock.advance(by: 30)

            let first = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            #expect(first.status == 200 && first.json["status"] as? String == "mfa_required")
            #expect(first.cookie("fm_session") == nil)
            let mfaToken = try #require(first.json["mfaToken"] as? String)
            // The half-finished login is not a session.
            #expect(try await server.request(.get, "/v1/me", auth: .bearer(mfaToken)).status == 401)

            let wrong = try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": mfaToken, "code": "123456"])
            #expect(wrong.status == 401 && wrong.code == "mfa_code_invalid")
            let code = totp.code(step: TOTP.step(at: server.clock.now()))
            let ok = try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": mfaToken, "code": code])
            #expect(ok.status == 200 && ok.json["status"] as? String == "signed_in")
            #expect(ok.cookie("fm_session") != nil)
            // The MFA token is spent.
            #expect(try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": mfaToken, "code": code]).code == "mfa_token_invalid")

            // The same code cannot sign in a second time, even within its window.
            let again = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            let againToken = try #require(again.json["mfaToken"] as? String)
            let replay = try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": againToken, "code": code])
            #expect(replay.status == 401 && replay.code == "mfa_code_invalid")
            // A code from one step later is accepted (±1 step window).
            let next = totp.code(step: TOTP.step(at: server.clock.now()) + 1)
            #expect(try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": againToken, "code": next]).status == 200)
        }
    }

    @Test func recoveryCodesWorkOnceEach() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let (_, codes) = try await Self.enrol(server, session: session)
            for attempt in 0..<2 {
                let step1 = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
                let token = try #require(step1.json["mfaToken"] as? String)
                let step2 = try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": token, "recoveryCode": codes[0].uppercased()])
                #expect(step2.status == (attempt == 0 ? 200 : 401))
            }
            let audit = try await server.request(.get, "/v1/audit-logs?action=mfa.recovery_code_used", auth: .cookie(session))
            #expect(audit.items.count == 1)
        }
    }

    @Test func theSecretIsSealedAtRestAndMFACanBeTurnedOff() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let (totp, _) = try await Self.enrol(server, session: session)
            // The user row keeps the id of an envelope in sealed_secrets, owned by the user.
            let row = try await server.runtime.database.first("SELECT mfa_secret, mfa_enabled FROM users WHERE id = \(bind: owner.userId)")
            let stored = try #require(try row?.decode(column: "mfa_secret", as: String?.self))
            let secretId = try #require(UUID(uuidString: stored))
            let sealed = try await server.runtime.database.first(
                """
                SELECT owner_table, owner_id, enc_alg, enc_ciphertext FROM sealed_secrets WHERE id = \(bind: secretId)
                """)
            #expect(try sealed?.decode(column: "owner_table", as: String.self) == "users")
            #expect(try sealed?.decode(column: "owner_id", as: String.self) == owner.userId.uuidString.lowercased())
            #expect(try sealed?.decode(column: "enc_alg", as: String.self) == "AES-256-GCM")
            let ciphertext = try #require(Data(base64Encoded: try sealed?.decode(column: "enc_ciphertext", as: String.self) ?? ""))
            #expect(ciphertext.range(of: Data(totp.secret)) == nil)
            let codesRow = try await server.runtime.database.query("SELECT code_hash FROM user_recovery_codes WHERE user_id = \(bind: owner.userId)")
            #expect(codesRow.count == 10)

            let denied = try await server.request(.post, "/v1/me/mfa/disable", json: ["password": "wrong"], auth: .cookie(session))
            #expect(denied.status == 422)
            let off = try await server.request(.post, "/v1/me/mfa/disable", json: ["password": owner.password], auth: .cookie(session))
            #expect(off.status == 204)
            #expect(try await server.runtime.database.first("SELECT id FROM sealed_secrets WHERE id = \(bind: secretId)") == nil)
            let login = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            #expect(login.json["status"] as? String == "signed_in")
            let audit = try await server.request(.get, "/v1/audit-logs", auth: .cookie(session))
            let actions = Set(audit.items.compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["mfa.enrollment_started", "mfa.enabled", "mfa.disabled", "mfa.confirm_failed"]))
        }
    }

    /// Secrets sealed before the envelope service (`v1.`, directly under the master key) still
    /// work, and move into the vault at the first good code.
    @Test func aSecretSealedTheOldWayStillWorksAndMovesIntoTheVault() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let (totp, _) = try await Self.enrol(server, session: session)
            server.clock.advance(by: 30)
            let masterKey = try MasterKey(base64: try #require(server.runtime.configuration.masterKeyBase64))
            let legacy = try SecretBox(masterKey: masterKey).seal(totp.secret, aad: "users.mfa_secret:\(owner.userId.uuidString.lowercased())")
            try await server.runtime.database.execute("UPDATE users SET mfa_secret = \(bind: legacy) WHERE id = \(bind: owner.userId)")

            let login = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            let token = try #require(login.json["mfaToken"] as? String)
            let ok = try await server.request(
                .post, "/v1/auth/mfa", json: ["mfaToken": token, "code": totp.code(step: TOTP.step(at: server.clock.now()))])
            #expect(ok.status == 200 && ok.json["status"] as? String == "signed_in")
            let row = try await server.runtime.database.first("SELECT mfa_secret FROM users WHERE id = \(bind: owner.userId)")
            let moved = try #require(try row?.decode(column: "mfa_secret", as: String?.self))
            #expect(UUID(uuidString: moved) != nil, "upgraded to a vault reference")

            // A wrong code against the legacy-free row is still refused; the next good one works.
            server.clock.advance(by: 30)
            let again = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            let againToken = try #require(again.json["mfaToken"] as? String)
            #expect(try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": againToken, "code": "000000"]).status == 401)
            let next = totp.code(step: TOTP.step(at: server.clock.now()))
            #expect(try await server.request(.post, "/v1/auth/mfa", json: ["mfaToken": againToken, "code": next]).status == 200)
        }
    }

    @Test func apiKeysCannotManageMFA() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let key = try await server.createApiKey(session: session, scopes: ["admin"])
            let r = try await server.request(.post, "/v1/me/mfa/enroll", auth: .bearer(key.key))
            #expect(r.status == 403 && r.code == "session_required")
        }
    }
}
