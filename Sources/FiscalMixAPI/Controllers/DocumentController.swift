import FiscalMixCore
import FiscalMixDFe
import FiscalMixDatabase
import FiscalMixFiscal
import FiscalMixHTTPEdge
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Stored fiscal documents: list (filters, keyset cursor by issue date), one with its events,
/// and the XML itself.
struct DocumentController {
    let documents: FiscalDocumentService
    let manifestation: ManifestationService

    struct DocumentBody: Encodable, Sendable {
        let document: FiscalDocumentRecord
        let events: [FiscalEventRecord]
        func encode(to encoder: any Encoder) throws {
            try document.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(events, forKey: .events)
        }
        enum CodingKeys: String, CodingKey { case events }
    }

    struct XMLLinkBody: Decodable {
        var expiresIn: Int?
    }

    struct XMLLinkView: Encodable, Sendable {
        let url: String
        let expiresAt: Date
    }

    struct ManifestBody: Decodable {
        var type: ManifestationType
        var justificativa: String?
    }

    func addRoutes(to group: CatalogedGroup) {
        group.post("/documents/:id/manifest") { request, context in
            var request = request
            let id = try context.id("id", "Document")
            let body = try await request.decodeJSON(ManifestBody.self, context: context)
            return JSONResponse(
                try await manifestation.manifest(
                    try context.requirePrincipal(), documentId: id, type: body.type,
                    justification: body.justificativa))
        }
        group.get("/documents", query: .list("companyId", "docType", "direction", "status", "issuedFrom", "issuedBefore", "issuer", "recipient", "minValue", "maxValue", "summary", "q", "sort")) { request, context in
            let filter = try Self.filter(request)
            var cursor: FiscalDocumentCursor?
            if let raw = try request.textQuery("cursor", maxLength: 200), !raw.isEmpty {
                guard let decoded = FiscalDocumentCursor(encoded: raw) else { throw FiscalMixError.validation("cursor", "cursor is not valid.") }
                cursor = decoded
            }
            let page = try await documents.list(
                try context.requirePrincipal(), filter: filter,
                limit: try request.limitQuery(), after: cursor)
            return JSONResponse(ListBody(Page(items: page.items, nextCursor: page.next?.encoded)))
        }
        group.get("/fiscal-events", query: .list("companyId", "accessKey", "eventCode", "from", "before", "attached")) { request, context in
            var filter = FiscalEventFilter()
            filter.companyId = try Self.value(request, "companyId", { UUID(uuidString: $0) }, "a company id")
            filter.accessKey = try Self.value(request, "accessKey", { (try? AccessKey($0))?.value }, "a 44-digit access key")
            filter.eventCode = try Self.value(request, "eventCode", { $0.count == 6 && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } ? $0 : nil }, "six digits (tpEvento)")
            filter.from = try Self.value(request, "from", Self.date, "an RFC 3339 date-time or a date")
            filter.before = try Self.value(request, "before", Self.date, "an RFC 3339 date-time or a date")
            filter.attached = try Self.value(request, "attached", { $0 == "true" ? true : $0 == "false" ? false : nil }, "true or false")
            return JSONResponse(ListBody(try await documents.events(try context.requirePrincipal(), filter: filter, page: try request.pageRequest())))
        }
        group.get("/documents/:id") { _, context in
            let found = try await documents.get(try context.requirePrincipal(), id: try context.id("id", "Document"))
            return JSONResponse(DocumentBody(document: found.document, events: found.events))
        }
        // A link to the XML for someone without an API key (an accountant, a browser), valid
        // for `expiresIn` seconds.
        group.post("/documents/:id/xml-link") { request, context in
            var request = request
            let id = try context.id("id", "Document")
            let body = try await request.decodeJSONIfPresent(XMLLinkBody.self, context: context)
            let link = try await documents.xmlLink(try context.requirePrincipal(), id: id, expiresIn: body?.expiresIn)
            return JSONResponse(XMLLinkView(url: link.url.absoluteString, expiresAt: link.expiresAt))
        }
        group.get("/documents/:id/xml") { _, context in
            let found = try await documents.xml(try context.requirePrincipal(), id: try context.id("id", "Document"))
            var headers = HTTPFields()
            headers[.contentType] = "application/xml; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(found.document.accessKey).xml\""
            headers[HTTPField.Name("X-Content-SHA256")!] = found.document.hashSHA256
            headers[.contentLength] = String(found.size)
            return Response(status: .ok, headers: headers, body: .init(asyncSequence: found.chunks.map { ByteBuffer(bytes: $0) }))
        }
    }

    /// Query parameters → filter; each malformed one is a 422 naming it.
    /// A filter's value, parsed; a malformed one is a 422 naming it.
    static func value<T>(_ request: Request, _ name: String, _ parse: (String) -> T?, _ expected: String) throws -> T? {
        guard let raw = try request.textQuery(name, maxLength: 100), !raw.isEmpty else { return nil }
        guard let parsed = parse(raw) else { throw FiscalMixError.validation(name, "\(name) must be \(expected).") }
        return parsed
    }

    static func date(_ text: String) -> Date? { RFC3339.date(from: text) ?? RFC3339.date(from: text + "T00:00:00Z") }

    static func filter(_ request: Request) throws -> FiscalDocumentFilter {
        var filter = FiscalDocumentFilter()
        func value<T>(_ name: String, _ parse: (String) -> T?, _ expected: String) throws -> T? { try Self.value(request, name, parse, expected) }
        func document(_ text: String) -> String? {
            (text.count == 11 || text.count == 14) && text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) }) ? text : nil
        }
        filter.companyId = try value("companyId", { UUID(uuidString: $0) }, "a company id")
        filter.docType = try value("docType", { FiscalDocType(rawValue: $0.uppercased()) }, "one of NFE, NFCE, CTE, MDFE, NFSE")
        filter.direction = try value("direction", { FiscalDocumentRecord.Direction(rawValue: $0) }, "issued or received")
        filter.status = try value("status", { ["authorized", "denied", "cancelled"].contains($0) ? $0 : nil }, "authorized, denied or cancelled")
        filter.issuedFrom = try value("issuedFrom", Self.date, "an RFC 3339 date-time or a date")
        filter.issuedBefore = try value("issuedBefore", Self.date, "an RFC 3339 date-time or a date")
        filter.issuer = try value("issuer", document, "a CNPJ (14) or CPF (11)")
        filter.recipient = try value("recipient", document, "a CNPJ (14) or CPF (11)")
        filter.minValue = try value("minValue", { DecimalAmount($0) }, "a decimal amount")
        filter.maxValue = try value("maxValue", { DecimalAmount($0) }, "a decimal amount")
        filter.summary = try value("summary", { $0 == "true" ? true : $0 == "false" ? false : nil }, "true or false")
        filter.text = try request.textQuery("q", maxLength: 100)
        switch try request.textQuery("sort", maxLength: 20) ?? "-issueDate" {
        case "issueDate", "issue_date": filter.ascending = true
        case "-issueDate", "-issue_date": filter.ascending = false
        default: throw FiscalMixError.validation("sort", "sort is issueDate or -issueDate.")
        }
        return filter
    }
}
