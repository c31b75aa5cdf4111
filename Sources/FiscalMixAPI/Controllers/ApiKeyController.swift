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

struct ApiKeyController {
    let apiKeys: ApiKeyService

    struct CreateInput: Decodable { let name: String; let scopes: [String]; let expiresAt: Date? }

    /// The one response that carries the key; `Cache-Control: no-store` keeps it out of caches
    /// (and out of stored idempotent replays).
    struct CreatedView: Encodable, Sendable {
        let apiKey: ApiKey
        let key: String
    }

    func addRoutes(to group: CatalogedGroup) {
        group.post("/api-keys") { request, context in
            var request = request
            let input = try await request.decodeJSON(CreateInput.self, context: context)
            let (key, secret) = try await apiKeys.create(
                try context.requirePrincipal(), name: input.name, scopes: input.scopes,
                expiresAt: input.expiresAt, meta: context.meta(request))
            return JSONResponse(
                .created, headers: [.cacheControl: "no-store", .location: "/v1/api-keys/\(key.id.lowercased)"],
                CreatedView(apiKey: key, key: secret))
        }
        group.get("/api-keys", query: .list()) { request, context in
            JSONResponse(ListBody(try await apiKeys.list(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/api-keys/:id") { _, context in
            JSONResponse(try await apiKeys.get(try context.requirePrincipal(), id: try context.id("id", "API key")))
        }
        group.delete("/api-keys/:id") { request, context in
            JSONResponse(
                try await apiKeys.revoke(
                    try context.requirePrincipal(), id: try context.id("id", "API key"),
                    meta: context.meta(request)))
        }
    }
}
