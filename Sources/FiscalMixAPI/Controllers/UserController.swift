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

/// People of the account and their roles; invites.
struct UserController {
    let accounts: AccountService
    let auth: AuthService

    struct UpdateInput: Decodable { let role: AccountRole?; let status: User.Status? }
    struct InviteInput: Decodable { let email: String; let role: AccountRole }
    struct AcceptInput: Decodable { let token: String; let name: String; let password: String }
    struct InviteCreatedView: Encodable, Sendable { let invite: Invite; let token: String }

    func addRoutes(public publicGroup: CatalogedGroup, protected group: CatalogedGroup) {
        group.get("/users", query: .list()) { request, context in
            JSONResponse(ListBody(try await accounts.listUsers(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/users/:id") { _, context in
            JSONResponse(try await accounts.user(try context.requirePrincipal(), id: try context.id("id", "User")))
        }
        group.patch("/users/:id") { request, context in
            var request = request
            let input = try await request.decodeJSON(UpdateInput.self, context: context)
            return JSONResponse(
                try await accounts.updateUser(
                    try context.requirePrincipal(), id: try context.id("id", "User"),
                    role: input.role, status: input.status, meta: context.meta(request)))
        }
        group.post("/users/:id/sessions/revoke") { request, context in
            let count = try await auth.revokeUserSessions(
                try context.requirePrincipal(), userId: try context.id("id", "User"),
                meta: context.meta(request))
            return JSONResponse(["revokedSessions": count])
        }
        group.post("/invites") { request, context in
            var request = request
            let input = try await request.decodeJSON(InviteInput.self, context: context)
            let (invite, token) = try await accounts.invite(
                try context.requirePrincipal(), email: input.email, role: input.role,
                meta: context.meta(request))
            return JSONResponse(.created, headers: [.cacheControl: "no-store"], InviteCreatedView(invite: invite, token: token))
        }
        group.get("/invites", query: .list()) { request, context in
            JSONResponse(ListBody(try await accounts.listInvites(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        publicGroup.post("/invites/accept") { request, context in
            var request = request
            let input = try await request.decodeJSON(AcceptInput.self, context: context)
            let user = try await accounts.acceptInvite(
                token: input.token, name: input.name, password: input.password,
                meta: context.meta(request))
            return JSONResponse(.created, user)
        }
    }
}
