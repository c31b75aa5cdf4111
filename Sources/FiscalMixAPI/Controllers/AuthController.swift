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

/// Sign-in in one or two steps, and sign-out.
struct AuthController {
    let auth: AuthService
    let secureCookies: Bool

    struct LoginInput: Decodable { let email: String; let password: String }
    struct MFAInput: Decodable { let mfaToken: String; let code: String?; let recoveryCode: String? }

    struct SessionView: Encodable, Sendable {
        let id: UUID
        let createdAt: Date
        let expiresAt: Date
        let idleExpiresAt: Date
        let ip: String?
        let userAgent: String?
        let current: Bool?

        init(_ s: SessionRecord, current: Bool? = nil) {
            id = s.id
            createdAt = s.createdAt
            expiresAt = s.expiresAt
            idleExpiresAt = s.idleExpiresAt
            ip = s.ip
            userAgent = s.userAgent
            self.current = current
        }
    }

    struct LoginView: Encodable, Sendable {
        let status: String
        let user: User?
        let session: SessionView?
        let mfaToken: String?
        let mfaExpiresAt: Date?
    }

    func addRoutes(public group: CatalogedGroup, protected: CatalogedGroup) {
        group.post("/auth/login") { request, context in
            var request = request
            let input = try await request.decodeJSON(LoginInput.self, context: context)
            return try await respond(auth.login(email: input.email, password: input.password, meta: context.meta(request)))
        }
        group.post("/auth/mfa") { request, context in
            var request = request
            let input = try await request.decodeJSON(MFAInput.self, context: context)
            return try await respond(
                auth.completeMFA(
                    mfaToken: input.mfaToken, code: input.code, recoveryCode: input.recoveryCode,
                    meta: context.meta(request)))
        }
        protected.post("/auth/logout") { request, context in
            try await auth.logout(try context.requirePrincipal(), meta: context.meta(request))
            var response = Response(status: .noContent)
            response.setCookie(expiredCookie())
            return response
        }
        protected.post("/auth/logout-all") { request, context in
            let count = try await auth.logoutEverywhere(try context.requirePrincipal(), meta: context.meta(request))
            var response = try JSONResponse(["revokedSessions": count]).makeResponse()
            response.setCookie(expiredCookie())
            return response
        }
    }

    func respond(_ result: AuthService.LoginResult) throws -> Response {
        switch result {
        case .signedIn(let token, let session, let user):
            var response = try JSONResponse(
                .ok, headers: [.cacheControl: "no-store"],
                LoginView(
                    status: "signed_in", user: user, session: SessionView(session), mfaToken: nil,
                    mfaExpiresAt: nil)
            ).makeResponse()
            response.setCookie(
                Cookie(
                    name: AuthenticationMiddleware.cookieName, value: token,
                    maxAge: Int(session.expiresAt.timeIntervalSince(session.createdAt)), path: "/",
                    secure: secureCookies, httpOnly: true, sameSite: .lax))
            return response
        case .mfaRequired(let mfaToken, let expiresAt):
            return try JSONResponse(
                .ok, headers: [.cacheControl: "no-store"],
                LoginView(
                    status: "mfa_required", user: nil, session: nil, mfaToken: mfaToken,
                    mfaExpiresAt: expiresAt)
            ).makeResponse()
        }
    }

    func expiredCookie() -> Cookie {
        Cookie(
            name: AuthenticationMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies,
            httpOnly: true, sameSite: .lax)
    }
}
