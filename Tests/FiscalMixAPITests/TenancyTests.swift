import FiscalMixApp
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase

@Suite struct TenancyTests {
    @Test func anotherAccountsIdsAnswer404() async throws {
        try await TestServer.run { server in
            let acme = try await server.createAccount("Acme")
            let globex = try await server.createAccount("Globex")
            let acmeSession = try await server.login(acme.email, acme.password)
            let globexSession = try await server.login(globex.email, globex.password)
            let globexKey = try await server.createApiKey(session: globexSession, scopes: ["admin"])
            let company = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "11222333000181", "razaoSocial": "Globex SA", "uf": "RJ"],
                auth: .cookie(globexSession))
            let companyId = try #require(company.json["id"] as? String)
            let sessions = try await server.request(.get, "/v1/me/sessions", auth: .cookie(globexSession))
            let sessionId = try #require(sessions.items.first?["id"] as? String)

            for path in [
                "/v1/api-keys/\(globexKey.id)", "/v1/users/\(globex.userId)", "/v1/companies/\(companyId)",
                "/v1/companies/\(companyId)/members",
            ] {
                let r = try await server.request(.get, path, auth: .cookie(acmeSession))
                #expect(r.status == 404, "GET \(path) answered \(r.status)")
                #expect(r.code == "not_found")
            }
            #expect(try await server.request(.delete, "/v1/api-keys/\(globexKey.id)", auth: .cookie(acmeSession)).status == 404)
            #expect(try await server.request(.delete, "/v1/me/sessions/\(sessionId)", auth: .cookie(acmeSession)).status == 404)
            #expect(
                try await server.request(.patch, "/v1/users/\(globex.userId)", json: ["role": "member"], auth: .cookie(acmeSession)).status == 404)
            #expect(try await server.request(.post, "/v1/users/\(globex.userId)/sessions/revoke", auth: .cookie(acmeSession)).status == 404)
            // Globex's key still works: nothing was touched.
            #expect(try await server.request(.get, "/v1/me", auth: .bearer(globexKey.key)).status == 200)
            // And lists never show the other tenant's rows.
            #expect(try await server.request(.get, "/v1/companies", auth: .cookie(acmeSession)).items.isEmpty)
            #expect(try await server.request(.get, "/v1/users", auth: .cookie(acmeSession)).items.count == 1)
        }
    }

    @Test func companyRolesAreCheckedOnCompanyRoutes() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let created = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "12.ABC.345/01DE-35", "razaoSocial": "Alfa Numérica Ltda", "uf": "sp"],
                auth: .cookie(session))
            #expect(created.status == 201)
            #expect(created.json["cnpj"] as? String == "12ABC34501DE35")
            let companyId = try #require(created.json["id"] as? String)
            let viewer = try await Invitations.addMember(server, ownerSession: session, role: "member")
            let viewerSession = try await server.login(viewer.email, viewer.password)

            // No role on the company: it does not exist for this member.
            #expect(try await server.request(.get, "/v1/companies/\(companyId)", auth: .cookie(viewerSession)).status == 404)
            #expect(try await server.request(.get, "/v1/companies", auth: .cookie(viewerSession)).items.isEmpty)

            let grant = try await server.request(
                .put, "/v1/companies/\(companyId)/members/\(viewer.id)", json: ["role": "viewer"], auth: .cookie(session))
            #expect(grant.status == 200)
            #expect(try await server.request(.get, "/v1/companies/\(companyId)", auth: .cookie(viewerSession)).status == 200)
            #expect(try await server.request(.get, "/v1/companies", auth: .cookie(viewerSession)).items.count == 1)
            // A viewer cannot manage members…
            let denied = try await server.request(
                .put, "/v1/companies/\(companyId)/members/\(viewer.id)", json: ["role": "admin"],
                auth: .cookie(viewerSession))
            #expect(denied.status == 403)
            // …a company admin can.
            #expect(
                try await server.request(.put, "/v1/companies/\(companyId)/members/\(viewer.id)", json: ["role": "admin"], auth: .cookie(session))
                    .status == 200)
            let other = try await Invitations.addMember(server, ownerSession: session, role: "member")
            let byCompanyAdmin = try await server.request(
                .put, "/v1/companies/\(companyId)/members/\(other.id)", json: ["role": "operator"],
                auth: .cookie(viewerSession))
            #expect(byCompanyAdmin.status == 200)
            let members = try await server.request(.get, "/v1/companies/\(companyId)/members", auth: .cookie(session))
            #expect(members.items.count == 2)
            let audit = try await server.request(.get, "/v1/audit-logs?action=company.member_role_changed", auth: .cookie(session))
            #expect(audit.items.count == 3)
            #expect(audit.items.contains { (($0["diff"] as? [String: Any])?["role"] as? [String: String]) == ["from": "viewer", "to": "admin"] })
        }
    }

    @Test func companyInputIsValidated() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let badCNPJ = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "11222333000182", "razaoSocial": "Acme", "uf": "SP"],
                auth: .cookie(session))
            #expect(badCNPJ.status == 422 && badCNPJ.code == "invalid_cnpj")
            let badUF = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "11222333000181", "razaoSocial": "Acme", "uf": "XX"],
                auth: .cookie(session))
            #expect(badUF.status == 422)
            #expect(
                try await server.request(
                    .post, "/v1/companies", json: ["cnpj": "11222333000181", "razaoSocial": "Acme", "uf": "SP"],
                    auth: .cookie(session)
                ).status == 201)
            let dup = try await server.request(
                .post, "/v1/companies", json: ["cnpj": "11.222.333/0001-81", "razaoSocial": "Acme 2", "uf": "SP"],
                auth: .cookie(session))
            #expect(dup.status == 409 && dup.code == "company_exists")
        }
    }

    @Test func invitesAreSingleUseAndExpire() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let invite = try await server.request(.post, "/v1/invites", json: ["email": "Bia@Example.com", "role": "admin"], auth: .cookie(session))
            let token = try #require(invite.json["token"] as? String)
            let accept = ["token": token, "name": "Bia", "password": "bia's long password"]
            #expect(try await server.request(.post, "/v1/invites/accept", json: accept).status == 201)
            let reuse = try await server.request(.post, "/v1/invites/accept", json: accept)
            #expect(reuse.status == 422 && reuse.code == "invite_invalid")
            #expect(try await server.login("bia@example.com", "bia's long password").isEmpty == false)

            let late = try await server.request(.post, "/v1/invites", json: ["email": "late@example.com", "role": "member"], auth: .cookie(session))
            let lateToken = try #require(late.json["token"] as? String)
            server.clock.advance(by: 8 * 24 * 3600)
            let session2 = try await server.login(owner.email, owner.password)
            _ = session2
            let expired = try await server.request(
                .post, "/v1/invites/accept", json: ["token": lateToken, "name": "Late", "password": "late long password"])
            #expect(expired.code == "invite_invalid")
            let weak = try await server.request(.post, "/v1/invites/accept", json: ["token": lateToken, "name": "Late", "password": "short"])
            #expect(weak.status == 422 && weak.code == "validation_failed")
            let row = try await server.runtime.database.first("SELECT COUNT(*) AS n FROM account_invites WHERE token_hash = \(bind: token)")
            #expect(try row?.decode(column: "n", as: Int.self) == 0)  // stored hashed only
        }
    }

    @Test func rolesChangeWithAuditAndAnAccountKeepsAnOwner() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let admin = try await Invitations.addMember(server, ownerSession: session, role: "admin")
            let member = try await Invitations.addMember(server, ownerSession: session, role: "member")
            let adminSession = try await server.login(admin.email, admin.password)
            let memberSession = try await server.login(member.email, member.password)

            #expect(
                try await server.request(.patch, "/v1/users/\(owner.userId)", json: ["role": "member"], auth: .cookie(memberSession)).status == 403)
            let notOwner = try await server.request(.patch, "/v1/users/\(owner.userId)", json: ["role": "member"], auth: .cookie(adminSession))
            #expect(notOwner.status == 403 && notOwner.code == "owner_required")
            let last = try await server.request(.patch, "/v1/users/\(owner.userId)", json: ["role": "admin"], auth: .cookie(session))
            #expect(last.status == 409 && last.code == "last_owner")
            let promote = try await server.request(.patch, "/v1/users/\(member.id)", json: ["role": "admin"], auth: .cookie(adminSession))
            #expect(promote.status == 200 && promote.json["role"] as? String == "admin")
            let disable = try await server.request(.patch, "/v1/users/\(member.id)", json: ["status": "disabled"], auth: .cookie(session))
            #expect(disable.status == 200)
            #expect(try await server.request(.get, "/v1/me", auth: .cookie(memberSession)).status == 401)
            let bad = try await server.request(.patch, "/v1/users/\(member.id)", json: ["role": "superuser"], auth: .cookie(session))
            #expect(bad.status == 422)

            let audit = try await server.request(.get, "/v1/audit-logs?action=user.role_changed", auth: .cookie(session))
            #expect(audit.items.contains { ($0["diff"] as? [String: Any])?["role"] as? [String: String] == ["from": "member", "to": "admin"] })
        }
    }

    @Test func staffOperatorsActAcrossAccountsWithAReasonAndLeaveOperatorAudit() async throws {
        try await TestServer.run { server in
            let staff = try await server.createAccount("FiscalMix Ops", staff: true)
            let customer = try await server.createAccount("Customer")
            let staffSession = try await server.login(staff.email, staff.password)
            let customerSession = try await server.login(customer.email, customer.password)
            let customerKey = try await server.createApiKey(session: customerSession, scopes: ["admin"])
            // Used once, so the key is in the credential cache when the account is suspended.
            #expect(try await server.request(.get, "/v1/me", auth: .bearer(customerKey.key)).status == 200)

            #expect(try await server.request(.get, "/v1/operator/accounts", auth: .cookie(customerSession)).code == "staff_only")
            let listed = try await server.request(.get, "/v1/operator/accounts", auth: .cookie(staffSession))
            #expect(listed.items.count == 2)

            let noReason = try await server.request(
                .patch, "/v1/operator/accounts/\(customer.accountId.uuidString)", json: ["status": "suspended", "reason": ""],
                auth: .cookie(staffSession))
            #expect(noReason.status == 422)
            let suspend = try await server.request(
                .patch, "/v1/operator/accounts/\(customer.accountId.uuidString)",
                json: ["status": "suspended", "reason": "chargeback #4411"], auth: .cookie(staffSession),
                headers: ["User-Agent": "ops-console/1.0", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            #expect(suspend.status == 200 && suspend.json["status"] as? String == "suspended")
            let blocked = try await server.request(.get, "/v1/me", auth: .bearer(customerKey.key))
            #expect(blocked.status == 403 && blocked.code == "account_not_active")

            let log = try await server.request(.get, "/v1/operator/audit-logs", auth: .cookie(staffSession))
            let row = try #require(log.items.first)
            #expect(row["actorType"] as? String == "operator")
            #expect(row["reason"] as? String == "chargeback #4411")
            #expect(row["userAgent"] as? String == "ops-console/1.0")
            #expect(row["ipAddress"] as? String == "127.0.0.1")
            #expect(row["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect((row["diff"] as? [String: Any])?["status"] as? [String: String] == ["from": "active", "to": "suspended"])
        }
    }
}
