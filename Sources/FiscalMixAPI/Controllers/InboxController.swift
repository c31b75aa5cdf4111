import FiscalMixCore
import FiscalMixDatabase
import FiscalMixHTTPEdge
import FiscalMixWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The inbound inbox: `POST /v1/inbox/{id}` (no API key — the provider's signature is the
/// credential), and `/v1/inbox-providers`, `/v1/inbox-messages` for the account.
struct InboxController {
    let inbox: InboxService

    /// Mounted without the API's authentication.
    func addReceiveRoute(to group: CatalogedGroup) {
        group.post("/inbox/:id") { request, context in
            // An unknown or malformed provider id reads like any unknown inbox.
            guard let raw = context.parameters.get("id"), let providerId = UUID(uuidString: raw) else { throw FiscalMixError.notFound("Inbox") }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: InboxService.maxBodyBytes)
            } catch {
                throw RequestError(.payloadTooLarge, .bodyTooLarge, "The body is larger than \(InboxService.maxBodyBytes) bytes.")
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            switch try await inbox.receive(providerId: providerId, headers: headers, body: Array(buffer: buffer)) {
            case .accepted(let id): return JSONResponse(.accepted, ["status": "accepted", "id": id.lowercased])
            case .duplicate: return JSONResponse(.ok, ["status": "duplicate"])
            }
        }
    }

    func addRoutes(to group: CatalogedGroup) {
        group.post("/inbox-providers") { request, context in
            var request = request
            let input = try await request.decodeJSON(InboxProviderInput.self, context: context)
            let view = try await inbox.createProvider(try context.requirePrincipal(), input, meta: context.meta(request))
            return JSONResponse(.created, headers: [.location: "/v1/inbox-providers/\(view.id.lowercased)"], view)
        }
        group.get("/inbox-providers", query: .list()) { request, context in
            JSONResponse(ListBody(try await inbox.listProviders(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/inbox-providers/:id") { _, context in
            JSONResponse(try await inbox.getProvider(try context.requirePrincipal(), id: try context.id("id", "Inbox provider")))
        }
        group.delete("/inbox-providers/:id") { request, context in
            try await inbox.deleteProvider(try context.requirePrincipal(), id: try context.id("id", "Inbox provider"), meta: context.meta(request))
            return Response(status: .noContent)
        }
        group.get("/inbox-messages", query: .list("provider")) { request, context in
            JSONResponse(
                ListBody(
                    try await inbox.messages(
                        try context.requirePrincipal(), provider: try request.textQuery("provider", maxLength: 100),
                        page: try request.pageRequest())))
        }
        group.get("/inbox-messages/:id") { _, context in
            JSONResponse(try await inbox.message(try context.requirePrincipal(), id: try context.id("id", "Inbox message")))
        }
    }
}
