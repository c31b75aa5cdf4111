import FiscalMixCore
public import FiscalMixIdentity
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Resolves `Authorization: Bearer …` (an API key `fmk_…`, or a session token `fms_…`) or the
/// session cookie to a principal. It never rejects by itself: public routes stay public, and a
/// route that needs a caller asks `context.requirePrincipal()`, which reports why auth failed.
package struct AuthenticationMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext
    package static let cookieName = "fm_session"
    package let auth: AuthService

    package init(auth: AuthService) {
        self.auth = auth
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        do {
            if let authorization = request.headers[.authorization] {
                guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
                    throw RequestError(.unauthorized, .unsupportedAuthorization, "Use `Authorization: Bearer <API key>`.")
                }
                let token = String(authorization.dropFirst(7)).trimmingWhitespace()
                context.principal =
                    token.hasPrefix("fms_")
                    ? try await auth.authenticateSession(token: token)
                    : try await auth.authenticateApiKey(token)
            } else if let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty {
                context.principal = try await auth.authenticateSession(token: cookie)
                context.authenticatedByCookie = true
                try Self.checkSameOrigin(request)
            }
        } catch let error as any ClientFacingError {
            context.principal = nil
            context.authenticationError = error
        }
        return try await next(request, context)
    }

    /// Cookie-authenticated writes must come from our own origin (SameSite=Lax covers modern
    /// browsers; this covers the rest). Requests without an Origin header are not browsers'.
    package static func checkSameOrigin(_ request: Request) throws {
        guard ![.get, .head, .options].contains(request.method), let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? ""
        guard let url = URL(string: origin), let originHost = url.host else {
            throw RequestError(.forbidden, .crossOriginRefused, "Cross-origin request refused.")
        }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originAuthority == host || originHost == host else {
            throw RequestError(.forbidden, .crossOriginRefused, "Cross-origin request refused.")
        }
    }
}
