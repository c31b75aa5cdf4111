import FiscalMixCore
import FiscalMixHTTPEdge
import HTTPTypes
import Hummingbird
import Synchronization

/// Every route the API registers, so a request for a known path with another method can answer
/// 405 with an `Allow` header (the router alone answers 404).
final class RouteCatalog: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    func add(_ method: HTTPRequest.Method, _ path: String) {
        let segments = path.split(separator: "/")
        routes.withLock { $0.append((segments, method)) }
    }

    /// The methods registered for a concrete request path (`:name` segments match anything).
    func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        return routes.withLock { routes in
            let matching = routes.filter { route in
                route.segments.count == parts.count
                    && zip(route.segments, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }
            // Like the router, a literal segment wins over a parameter: `/jobs/requeue` is not `/jobs/:id`.
            let specificity = { (route: (segments: [Substring], method: HTTPRequest.Method)) in route.segments.filter { $0.hasPrefix(":") }.count }
            guard let best = matching.map(specificity).min() else { return [] }
            return matching.filter { specificity($0) == best }.map(\.method)
        }
    }
}

/// A router group that records what it registers in the catalog.
struct CatalogedGroup {
    let group: RouterGroup<AppRequestContext>
    let prefix: String
    let catalog: RouteCatalog

    func get(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        on(.get, path, handler)
    }

    func post(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        on(.post, path, handler)
    }

    func put(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        on(.put, path, handler)
    }

    func patch(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        on(.patch, path, handler)
    }

    func delete(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        on(.delete, path, handler)
    }

    private func on(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator
    ) {
        catalog.add(method, prefix + path)
        group.on(RouterPath(path), method: method, use: handler)
    }
}

/// Turns the router's "no route" into 405 + `Allow` when the path exists under other methods.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let catalog: RouteCatalog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = catalog.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            return Problem(
                status: .methodNotAllowed, code: "method_not_allowed",
                detail: "\(request.method.rawValue) is not allowed here; use \(allow).", requestId: context.requestId
            )
            .response(extraHeaders: [.allow: allow])
        }
    }
}
