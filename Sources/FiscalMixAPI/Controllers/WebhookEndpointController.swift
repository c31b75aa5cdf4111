import FiscalMixCore
import FiscalMixDatabase
import FiscalMixHTTPEdge
import FiscalMixWebhooks
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/webhook-endpoints` with their deliveries, `/v1/webhook-deliveries` and the account's
/// `/v1/webhook-settings`.
struct WebhookEndpointController {
    let endpoints: WebhookEndpointService
    let deliveries: WebhookDeliveryService

    func addRoutes(to group: CatalogedGroup) {
        group.post("/webhook-endpoints") { request, context in
            var request = request
            let input = try await request.decodeJSON(WebhookEndpointInput.self, context: context)
            let view = try await endpoints.create(try context.requirePrincipal(), input, meta: context.meta(request))
            // no-store: the secret is shown once, and an Idempotency-Key replay omits it.
            return JSONResponse(
                .created, headers: [.location: "/v1/webhook-endpoints/\(view.endpoint.id.lowercased)", .cacheControl: "no-store"], view)
        }
        group.get("/webhook-endpoints", query: .list()) { request, context in
            JSONResponse(ListBody(try await endpoints.list(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/webhook-endpoints/:id") { _, context in
            JSONResponse(try await endpoints.get(try context.requirePrincipal(), id: try context.id("id", "Webhook endpoint")))
        }
        group.patch("/webhook-endpoints/:id") { request, context in
            var request = request
            let input = try await request.decodeJSON(WebhookEndpointInput.self, context: context)
            return JSONResponse(
                try await endpoints.update(
                    try context.requirePrincipal(), id: try context.id("id", "Webhook endpoint"), input,
                    meta: context.meta(request)))
        }
        group.delete("/webhook-endpoints/:id") { request, context in
            try await endpoints.delete(try context.requirePrincipal(), id: try context.id("id", "Webhook endpoint"), meta: context.meta(request))
            return Response(status: .noContent)
        }
        group.post("/webhook-endpoints/:id/rotate-secret") { request, context in
            var request = request
            let input = try await request.decodeJSONIfPresent(RotateSecretInput.self, context: context) ?? RotateSecretInput()
            return JSONResponse(
                .ok, headers: [.cacheControl: "no-store"],
                try await endpoints.rotate(
                    try context.requirePrincipal(), id: try context.id("id", "Webhook endpoint"), input,
                    meta: context.meta(request)))
        }
        group.get("/webhook-endpoints/:id/deliveries", query: .list("status")) { request, context in
            let status = try request.enumQuery("status", as: WebhookDelivery.Status.self)
            return JSONResponse(
                ListBody(
                    try await deliveries.list(
                        try context.requirePrincipal(), endpointId: try context.id("id", "Webhook endpoint"),
                        status: status, page: try request.pageRequest())))
        }
        group.post("/webhook-endpoints/:id/replay") { request, context in
            var request = request
            let input = try await request.decodeJSON(ReplayInput.self, context: context)
            guard let since = input.since else { throw FiscalMixError.validation("since", "since is required (an RFC 3339 date-time).") }
            let count = try await deliveries.replayEndpoint(
                try context.requirePrincipal(), endpointId: try context.id("id", "Webhook endpoint"),
                since: since)
            return JSONResponse(.accepted, ReplayResult(replayed: count))
        }
        group.get("/webhook-deliveries/:id") { _, context in
            JSONResponse(try await deliveries.get(try context.requirePrincipal(), id: try context.id("id", "Delivery")))
        }
        group.post("/webhook-deliveries/:id/replay") { _, context in
            JSONResponse(.accepted, try await deliveries.replay(try context.requirePrincipal(), id: try context.id("id", "Delivery")))
        }
        group.get("/webhook-settings") { _, context in
            JSONResponse(try await endpoints.settings(try context.requirePrincipal()))
        }
        group.put("/webhook-settings") { request, context in
            var request = request
            let input = try await request.decodeJSON(WebhookSettingsInput.self, context: context)
            return JSONResponse(try await endpoints.updateSettings(try context.requirePrincipal(), input))
        }
    }
}
