import FiscalMixApp
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase

@Suite struct AuthTests {
    @Test func passwordLoginSetsAHardenedCookieThatAuthenticates() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let response = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email.uppercased(), "password": owner.password])
            #expect(response.status == 200)
            let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("fm_session=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))  // not behind TLS in this test
            #expect(response.headers[.cacheControl] == "no-store")
            let token = try #require(response.cookie("fm_session"))
            let me = try await server.request(.get, "/v1/me", auth: .cookie(token))
            #expect(me.status == 200)
            #expect((me.json["user"] as? [String: Any])?["email"] as? String == owner.email)
            #expect((me.json["principal"] as? [String: Any])?["type"] as? String == "user")
        }
    }

    @Test func secureCookieBehindTLS() async throws {
        try await TestServer.run(lane: .timed, configure: { $0.publicURL = "https://fiscalmix.example.com" }) { server in
            let owner = try await server.createAccount()
            let response = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("fm_session=") && $0.contains("Secure") })
        }
    }

    @Test func wrongPasswordAndUnknownEmailLookTheSameAndAreAudited() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let wrong = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": "not the password"])
            let unknown = try await server.request(.post, "/v1/auth/login", json: ["email": "nobody@example.com", "password": "whatever12345"])
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(wrong.code == "invalid_credentials" && unknown.code == "invalid_credentials")
            #expect(wrong.headers[.contentType] == "application/problem+json")
            #expect(wrong.json["detail"] as? String == unknown.json["detail"] as? String)

            let session = try await server.login(owner.email, owner.password)
            let audit = try await server.request(.get, "/v1/audit-logs?action=login.failure", auth: .cookie(session))
            let reasons = audit.items.compactMap { ($0["metadata"] as? [String: Any])?["reason"] as? String }
            #expect(reasons.contains("wrong_password"))
            let successes = try await server.request(.get, "/v1/audit-logs?action=login.success", auth: .cookie(session))
            #expect(successes.items.count == 1)
            #expect(successes.items.first?["ipAddress"] as? String == "127.0.0.1")
        }
    }

    @Test func logoutRevokesTheSessionAndLogoutAllRevokesEveryDevice() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let laptop = try await server.login(owner.email, owner.password)
            let phone = try await server.login(owner.email, owner.password)
            let listed = try await server.request(.get, "/v1/me/sessions", auth: .cookie(laptop))
            #expect(listed.items.count == 2)
            #expect(listed.items.filter { $0["current"] as? Bool == true }.count == 1)

            let out = try await server.request(.post, "/v1/auth/logout", auth: .cookie(laptop))
            #expect(out.status == 204)
            #expect(out.headers[values: .setCookie].contains { $0.hasPrefix("fm_session=;") && $0.contains("Max-Age=0") })
            let revoked = try await server.request(.get, "/v1/me", auth: .cookie(laptop))
            #expect(revoked.status == 401 && revoked.code == "session_revoked")
            #expect(try await server.request(.get, "/v1/me", auth: .cookie(phone)).status == 200)

            let tablet = try await server.login(owner.email, owner.password)
            let all = try await server.request(.post, "/v1/auth/logout-all", auth: .cookie(tablet))
            #expect(all.json["revokedSessions"] as? Int == 2)
            #expect(try await server.request(.get, "/v1/me", auth: .cookie(phone)).code == "session_revoked")
            #expect(try await server.request(.get, "/v1/me", auth: .cookie(tablet)).code == "session_revoked")
        }
    }

    @Test func sessionsExpireWhenIdleAndAtTheAbsoluteLimit() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let idle = try await server.login(owner.email, owner.password)
            server.clock.advance(by: 8 * 3600 + 1)
            let expired = try await server.request(.get, "/v1/me", auth: .cookie(idle))
            #expect(expired.status == 401 && expired.code == "session_expired")

            // Active use slides the idle expiry, but never past seven days.
            let active = try await server.login(owner.email, owner.password)
            var hours = 0
            var last = 200
            while hours < 8 * 24, last == 200 {
                server.clock.advance(by: 6 * 3600)
                hours += 6
                last = try await server.request(.get, "/v1/me", auth: .cookie(active)).status
            }
            #expect(last == 401)
            #expect(hours > 6 * 24 && hours <= 7 * 24 + 6)
        }
    }

    @Test func anAdminCanSignAUserOutEverywhere() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let member = try await Invitations.addMember(server, ownerSession: session, role: "member")
            let memberSession = try await server.login(member.email, member.password)
            let revoke = try await server.request(.post, "/v1/users/\(member.id)/sessions/revoke", auth: .cookie(session))
            #expect(revoke.status == 200 && revoke.json["revokedSessions"] as? Int == 1)
            #expect(try await server.request(.get, "/v1/me", auth: .cookie(memberSession)).code == "session_revoked")
            // A member cannot do the same to the owner.
            let again = try await server.login(member.email, member.password)
            let denied = try await server.request(.post, "/v1/users/\(owner.userId)/sessions/revoke", auth: .cookie(again))
            #expect(denied.status == 403 && denied.code == "insufficient_scope")
        }
    }

    @Test func throttlesFiveFailuresPerEmailWithRetryAfter() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            for _ in 0..<5 {
                let r = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": "wrong password!"])
                #expect(r.status == 401)
            }
            // Even the right password waits now.
            let blocked = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            #expect(blocked.status == 429 && blocked.code == "too_many_login_attempts")
            let retryAfter = Int(blocked.headers[.retryAfter] ?? "") ?? 0
            #expect(retryAfter > 0 && retryAfter <= 15 * 60)
            server.clock.advance(by: TimeInterval(retryAfter + 1))
            #expect(try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password]).status == 200)
        }
    }

    @Test func throttlesFiveFailuresPerIPAcrossEmails() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            for i in 0..<5 {
                _ = try await server.request(.post, "/v1/auth/login", json: ["email": "guess\(i)@example.com", "password": "wrong password!"])
            }
            let blocked = try await server.request(.post, "/v1/auth/login", json: ["email": owner.email, "password": owner.password])
            #expect(blocked.status == 429)
            #expect(blocked.headers[.retryAfter] != nil)
        }
    }

    @Test func badLoginBodiesGetClearErrors() async throws {
        try await TestServer.run(lane: .timed) { server in
            let malformed = try await server.request(.post, "/v1/auth/login", rawBody: "{\"email\": ")
            #expect(malformed.status == 400 && malformed.code == "malformed_json")
            let missing = try await server.request(.post, "/v1/auth/login", json: ["email": "a@example.com"])
            #expect(missing.status == 422 && missing.code == "validation_failed")
            #expect((missing.json["details"] as? [String: Any])?["field"] as? String == "password")
            let wrongType = try await server.request(.post, "/v1/auth/login", json: ["email": "a@example.com", "password": 5])
            #expect(wrongType.status == 422)
        }
    }

    @Test func protectedRoutesNeedAuthentication() async throws {
        try await TestServer.run(lane: .timed) { server in
            let none = try await server.request(.get, "/v1/me")
            #expect(none.status == 401 && none.code == "unauthenticated")
            #expect(none.headers[.wwwAuthenticate] != nil)
            let garbage = try await server.request(.get, "/v1/me", auth: .cookie("fms_garbage"))
            #expect(garbage.status == 401)
            let basic = try await server.request(.get, "/v1/me", headers: ["Authorization": "Basic YTpi"])
            #expect(basic.status == 401 && basic.code == "unsupported_authorization")
        }
    }

    @Test func crossOriginWritesWithTheCookieAreRefused() async throws {
        try await TestServer.run(lane: .timed) { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let evil = try await server.request(
                .post, "/v1/api-keys", json: ["name": "x", "scopes": ["admin"]], auth: .cookie(session),
                headers: ["Origin": "https://evil.example"])
            #expect(evil.status == 401 || evil.status == 403)
            #expect(evil.code == "cross_origin_refused")
        }
    }
}
