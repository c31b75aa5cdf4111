import FiscalMixCore
import FiscalMixFiscal
import FiscalMixHTTPEdge
import Foundation
import HTTPTypes
import Hummingbird

/// DF-e sync: start (202 with the runs), follow a run, list a company's runs; and the company's
/// connector configurations (environment, endpoint override, CA bundle, scheduled sync).
struct FiscalSyncController {
    let connectorConfigs: ConnectorConfigService
    let sync: DFeSyncService

    struct SyncBody: Decodable {
        var docTypes: [FiscalDocType]?
        var usedPreviousSpelling = false
        enum CodingKeys: String, CodingKey {
            case docTypes
            case previous = "doc_types"  // the first release's spelling
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            docTypes = try c.decodeIfPresent([FiscalDocType].self, forKey: .docTypes)
            if docTypes == nil, let previous = try c.decodeIfPresent([FiscalDocType].self, forKey: .previous) {
                docTypes = previous
                usedPreviousSpelling = true
            }
        }
    }

    func addRoutes(to group: CatalogedGroup) {
        group.post("/companies/:id/sync") { request, context in
            var request = request
            let companyId = try context.id("id", "Company")
            let body = try await request.decodeJSONIfPresent(SyncBody.self, context: context)
            let runs = try await sync.start(
                try context.requirePrincipal(), companyId: companyId,
                docTypes: body?.docTypes ?? DFeSyncService.distributable)
            var headers = HTTPFields()
            if runs.count == 1 { headers[.location] = "/v1/sync-runs/\(runs[0].id.lowercased)" }
            if body?.usedPreviousSpelling == true { DeprecatedSpelling.mark(&headers) }
            return JSONResponse(.accepted, headers: headers, ListBody(items: runs))
        }
        group.get("/sync-runs/:id") { _, context in
            JSONResponse(try await sync.get(try context.requirePrincipal(), runId: try context.id("id", "Sync run")))
        }
        group.get("/companies/:id/sync-runs", query: .list()) { request, context in
            JSONResponse(
                ListBody(
                    try await sync.list(
                        try context.requirePrincipal(), companyId: try context.id("id", "Company"),
                        page: try request.pageRequest())))
        }
        group.get("/companies/:id/sync-status") { _, context in
            JSONResponse(ListBody(items: try await sync.status(try context.requirePrincipal(), companyId: try context.id("id", "Company"))))
        }
        group.get("/companies/:id/connector-configs") { _, context in
            JSONResponse(
                ListBody(
                    items: try await connectorConfigs.list(
                        try context.requirePrincipal(),
                        companyId: try context.id("id", "Company"))))
        }
        group.put("/companies/:id/connector-configs/:docType") { request, context in
            var request = request
            let companyId = try context.id("id", "Company")
            guard let raw = context.parameters.get("docType"), let docType = FiscalDocType(rawValue: raw.uppercased()) else {
                throw FiscalMixError.validation("docType", "docType is one of NFE, NFCE, CTE, MDFE, NFSE.")
            }
            let input = try await request.decodeJSON(ConnectorConfigService.Input.self, context: context)
            var headers = HTTPFields()
            if input.usedPreviousSpelling { DeprecatedSpelling.mark(&headers) }
            return JSONResponse(
                .ok, headers: headers,
                try await connectorConfigs.put(
                    try context.requirePrincipal(), companyId: companyId, docType: docType,
                    input, meta: context.meta(request)))
        }
    }
}
