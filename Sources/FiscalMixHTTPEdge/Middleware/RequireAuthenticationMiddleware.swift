import FiscalMixIdentity
public import Hummingbird

/// Refuses requests without an authenticated principal, with the reason authentication failed.
package struct RequireAuthenticationMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = try context.requirePrincipal()
        return try await next(request, context)
    }
}
