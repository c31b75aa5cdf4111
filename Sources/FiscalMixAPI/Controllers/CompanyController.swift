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

struct CompanyController {
    let companies: CompanyService

    struct MemberInput: Decodable { let role: CompanyRole }
    struct MemberView: Encodable, Sendable { let userId: UUID; let role: CompanyRole }

    func addRoutes(to group: CatalogedGroup) {
        group.post("/companies") { request, context in
            var request = request
            let input = try await request.decodeJSON(CompanyService.NewCompany.self, context: context)
            let company = try await companies.create(try context.requirePrincipal(), input, meta: context.meta(request))
            return JSONResponse(.created, headers: [.location: "/v1/companies/\(company.id.lowercased)"], company)
        }
        group.get("/companies", query: .list()) { request, context in
            JSONResponse(ListBody(try await companies.list(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/companies/:id") { _, context in
            JSONResponse(try await companies.get(try context.requirePrincipal(), id: try context.id("id", "Company")))
        }
        group.get("/companies/:id/members") { _, context in
            let members = try await companies.members(try context.requirePrincipal(), companyId: try context.id("id", "Company"))
            return JSONResponse(ListBody(items: members.map { MemberView(userId: $0.userId, role: $0.role) }))
        }
        group.put("/companies/:id/members/:userId") { request, context in
            var request = request
            let input = try await request.decodeJSON(MemberInput.self, context: context)
            let companyId = try context.id("id", "Company")
            let userId = try context.id("userId", "User")
            try await companies.setMemberRole(
                try context.requirePrincipal(), companyId: companyId, userId: userId,
                role: input.role, meta: context.meta(request))
            return JSONResponse(MemberView(userId: userId, role: input.role))
        }
        group.delete("/companies/:id/members/:userId") { request, context in
            try await companies.setMemberRole(
                try context.requirePrincipal(), companyId: try context.id("id", "Company"),
                userId: try context.id("userId", "User"), role: nil, meta: context.meta(request))
            return Response(status: .noContent)
        }
    }
}
