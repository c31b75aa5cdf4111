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

/// Staff-only routes that act across accounts; each change leaves an operator audit row.
struct OperatorController {
    let operators: OperatorService

    struct StatusInput: Decodable { let status: Account.Status; let reason: String }

    func addRoutes(to group: CatalogedGroup) {
        group.get("/operator/accounts", query: .list()) { request, context in
            JSONResponse(ListBody(try await operators.listAccounts(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.patch("/operator/accounts/:id") { request, context in
            var request = request
            let input = try await request.decodeJSON(StatusInput.self, context: context)
            return JSONResponse(
                try await operators.setAccountStatus(
                    try context.requirePrincipal(), accountId: try context.id("id", "Account"), status: input.status,
                    reason: input.reason, meta: context.meta(request)))
        }
        group.get("/operator/audit-logs", query: .list()) { request, context in
            JSONResponse(ListBody(try await operators.operatorLog(try context.requirePrincipal(), page: try request.pageRequest())))
        }
    }
}
