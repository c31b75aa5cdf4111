import FiscalMixConnectors
import FiscalMixCore
import FiscalMixHTTPEdge
import FiscalMixIdentity
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/policies`: versioned call policies (rate limit, retries, timeouts, circuit breaker,
/// concurrency) that connectors attach by id.
struct PolicyController {
    let policies: PolicyService

    func addRoutes(to group: CatalogedGroup) {
        group.post("/policies") { request, context in
            var request = request
            let input = try await request.decodeJSON(PolicyInput.self, context: context)
            let view = try await policies.save(try context.requirePrincipal(), input, meta: context.meta(request))
            return JSONResponse(.created, headers: [.location: "/v1/policies/\(view.id.lowercased)"], view)
        }
        group.get("/policies", query: .list()) { request, context in
            JSONResponse(ListBody(try await policies.list(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/policies/:id") { _, context in
            JSONResponse(try await policies.get(try context.requirePrincipal(), id: try context.id("id", "Policy")))
        }
        group.delete("/policies/:id") { request, context in
            try await policies.delete(try context.requirePrincipal(), id: try context.id("id", "Policy"), meta: context.meta(request))
            return Response(status: .noContent)
        }
    }
}
