import Hummingbird

/// Refuses requests without an authenticated principal, with the reason authentication failed.
struct RequireAuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = try context.requirePrincipal()
        return try await next(request, context)
    }
}
