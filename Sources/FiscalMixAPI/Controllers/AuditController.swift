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

/// The account's audit trail and API request log.
struct AuditController {
    let audit: AuditService

    func addRoutes(to group: CatalogedGroup) {
        group.get("/audit-logs", query: .list("action", "actorType")) { request, context in
            let principal = try context.requirePrincipal()
            try principal.require(.auditRead)  // before the filter is read: a missing scope is 403 whatever the query
            var filter = AuditFilter()
            filter.action = try request.textQuery("action", maxLength: 100)
            if let actor = try request.textQuery("actorType") {
                guard let type = AuditEntry.ActorType(rawValue: actor) else {
                    throw FiscalMixError.validation("actorType", "Unknown actorType.")
                }
                filter.actorType = type
            }
            let page = try await audit.auditLogs(principal, filter: filter, page: try request.pageRequest())
            return JSONResponse(ListBody(page))
        }
        group.get("/request-logs", query: .list()) { request, context in
            let page = try await audit.requestLogs(try context.requirePrincipal(), page: try request.pageRequest())
            return JSONResponse(ListBody(page))
        }
    }
}
