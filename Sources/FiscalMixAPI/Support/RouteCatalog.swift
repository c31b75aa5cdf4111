import FiscalMixCore
import FiscalMixHTTPEdge
import Foundation
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

    /// A read. `query` names the parameters it reads; any other answers 400 `unknown_parameter`,
    /// so a misspelled filter is never silently ignored. A parameter's spelling from before
    /// docs/api-conventions.md still works, answered with a `Deprecation` header.
    func get(
        _ path: String, query: QueryParameters = .none,
        use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator
    ) {
        on(.get, path) { request, context in
            let (request, renamed) = try query.check(request)
            var response = try await handler(request, context).response(from: request, context: context)
            if renamed { DeprecatedSpelling.mark(&response.headers) }
            return response
        }
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

/// The query parameters a read accepts.
struct QueryParameters: Sendable {
    let names: Set<String>

    static let none = QueryParameters(names: [])

    /// A list: its filters, and `limit` and `cursor`.
    static func list(_ filters: String...) -> QueryParameters { QueryParameters(names: Set(filters + ["limit", "cursor"])) }

    static func only(_ names: String...) -> QueryParameters { QueryParameters(names: Set(names)) }

    /// Spellings of the first release (snake_case), read as their camelCase names for one more.
    static let previousSpellings = [
        "company_id": "companyId", "doc_type": "docType", "issued_from": "issuedFrom", "issued_before": "issuedBefore",
        "min_value": "minValue", "max_value": "maxValue", "expiring_within": "expiringWithin",
    ]

    /// The request with previous spellings renamed, and whether there were any; throws
    /// `unknown_parameter` for a name the route does not read.
    func check(_ request: Request) throws -> (Request, renamed: Bool) {
        guard let query = request.uri.query, !query.isEmpty else { return (request, false) }
        var renamed = false
        var parts: [Substring] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let decoded = String(name).removingPercentEncoding ?? String(name)
            if let current = Self.previousSpellings[decoded], names.contains(current) {
                renamed = true
                parts.append(Substring(current) + part.dropFirst(name.count))
                continue
            }
            guard names.contains(decoded) else { throw unknown(String(decoded.prefix(100))) }
            parts.append(part)
        }
        guard renamed else { return (request, false) }
        var head = request.head
        head.path = request.uri.path + "?" + parts.joined(separator: "&")
        return (Request(head: head, body: request.body), true)
    }

    private func unknown(_ name: String) -> RequestError {
        let accepted = names.sorted().joined(separator: ", ")
        return RequestError(
            .badRequest, .unknownParameter,
            names.isEmpty
                ? "This route takes no query parameter; '\(name)' is unknown."
                : "Unknown query parameter '\(name)'; this route accepts: \(accepted).",
            details: ["parameter": name, "accepted": accepted])
    }
}

/// An answer to a request that used a spelling docs/api-conventions.md retired: RFC 9745's
/// `Deprecation` header, dated when the spellings were retired (2026-12-08).
enum DeprecatedSpelling {
    static let retiredAt = "@1796688000"

    static func mark(_ headers: inout HTTPFields) {
        headers[HTTPField.Name("Deprecation")!] = retiredAt
    }
}
