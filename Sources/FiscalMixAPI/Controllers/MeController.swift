import FiscalMixCore
import FiscalMixDatabase
import FiscalMixHTTPEdge
import FiscalMixIdentity
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// The caller: who they are, their MFA and their sessions.
struct MeController {
    let accounts: AccountService
    let auth: AuthService
    let mfa: MFAService

    struct MeView: Encodable, Sendable {
        let principal: PrincipalView
        let user: User?
        let account: Account
    }

    struct PrincipalView: Encodable, Sendable {
        let type: String
        let id: String
        let scopes: [String]
        let isStaff: Bool
    }

    struct CodeInput: Decodable { let code: String }
    struct DisableInput: Decodable { let code: String?; let password: String? }

    func addRoutes(to group: CatalogedGroup) {
        group.get("/me") { _, context in
            let principal = try context.requirePrincipal()
            let account = try await accounts.account(principal)
            var user: User?
            if principal.sessionId != nil, let userId = principal.userId {
                user = try await accounts.user(principal, id: userId)
            }
            return JSONResponse(
                MeView(
                    principal: PrincipalView(
                        type: principal.actorType, id: principal.actorId,
                        scopes: principal.scopes.map(\.rawValue).sorted(), isStaff: principal.isStaff),
                    user: user, account: account))
        }
        group.post("/me/mfa/enroll") { request, context in
            let enrollment = try await mfa.beginEnrollment(try context.requirePrincipal(), meta: context.meta(request))
            return JSONResponse(.ok, headers: [.cacheControl: "no-store"], enrollment)
        }
        group.post("/me/mfa/confirm") { request, context in
            var request = request
            let input = try await request.decodeJSON(CodeInput.self, context: context)
            let codes = try await mfa.confirmEnrollment(try context.requirePrincipal(), code: input.code, meta: context.meta(request))
            return JSONResponse(.ok, headers: [.cacheControl: "no-store"], ["recoveryCodes": codes])
        }
        group.post("/me/mfa/disable") { request, context in
            var request = request
            let input = try await request.decodeJSON(DisableInput.self, context: context)
            try await mfa.disable(try context.requirePrincipal(), code: input.code, password: input.password, meta: context.meta(request))
            return Response(status: .noContent)
        }
        group.get("/me/sessions") { _, context in
            let principal = try context.requirePrincipal()
            let sessions = try await auth.listSessions(principal)
            return JSONResponse(ListBody(items: sessions.map { AuthController.SessionView($0, current: $0.id == principal.sessionId) }))
        }
        group.delete("/me/sessions/:id") { request, context in
            try await auth.revokeOwnSession(
                try context.requirePrincipal(), id: try context.id("id", "Session"),
                meta: context.meta(request))
            return Response(status: .noContent)
        }
    }
}
