import FiscalMixConnectors
import FiscalMixHTTPEdge
import Hummingbird

/// `/v1/outbound-settings`: the internal addresses the account's outside calls may reach.
struct OutboundSettingsController {
    let settings: OutboundSettingsService

    func addRoutes(to group: CatalogedGroup) {
        group.get("/outbound-settings") { _, context in
            JSONResponse(try await settings.get(try context.requirePrincipal()))
        }
        group.put("/outbound-settings") { request, context in
            var request = request
            let input = try await request.decodeJSON(OutboundSettingsInput.self, context: context)
            return JSONResponse(try await settings.update(try context.requirePrincipal(), input, meta: context.meta(request)))
        }
    }
}
