import FiscalMixConnectors
import FiscalMixCore
import FiscalMixDatabase
import FiscalMixHTTPEdge
import FiscalMixIdentity
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/connectors`: outside APIs with their authentication (write-only secrets).
struct ConnectorController {
    let connectors: ConnectorService

    func addRoutes(to group: CatalogedGroup) {
        group.post("/connectors") { request, context in
            var request = request
            let input = try await request.decodeJSON(ConnectorInput.self, context: context)
            let view = try await connectors.create(try context.requirePrincipal(), input, meta: context.meta(request))
            return JSONResponse(.created, headers: [.location: "/v1/connectors/\(view.id.lowercased)"], view)
        }
        group.get("/connectors", query: .list()) { request, context in
            JSONResponse(ListBody(try await connectors.list(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/connectors/:id") { _, context in
            JSONResponse(try await connectors.get(try context.requirePrincipal(), id: try context.id("id", "Connector")))
        }
        group.patch("/connectors/:id") { request, context in
            var request = request
            let input = try await request.decodeJSON(ConnectorInput.self, context: context)
            return JSONResponse(
                try await connectors.update(
                    try context.requirePrincipal(), id: try context.id("id", "Connector"), input,
                    meta: context.meta(request)))
        }
        group.delete("/connectors/:id") { request, context in
            try await connectors.delete(try context.requirePrincipal(), id: try context.id("id", "Connector"), meta: context.meta(request))
            return Response(status: .noContent)
        }
        group.post("/connectors/:id/test") { request, context in
            var request = request
            let input = try await request.decodeJSONIfPresent(ConnectorTestInput.self, context: context) ?? ConnectorTestInput()
            return JSONResponse(
                try await connectors.test(
                    try context.requirePrincipal(), id: try context.id("id", "Connector"), input,
                    requestId: UUID().uuidString.lowercased()))
        }
    }
}
