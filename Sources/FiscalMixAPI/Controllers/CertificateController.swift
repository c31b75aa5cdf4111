import FiscalMixCore
import FiscalMixFiscal
import FiscalMixHTTPEdge
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A1 certificates: upload (multipart: `file` and `password`), list per company, what expires soon,
/// revoke. Responses carry metadata only — never the file, the key or the password.
struct CertificateController {
    let certificates: CertificateService

    func addRoutes(to group: CatalogedGroup) {
        group.post("/companies/:id/certificates/a1") { request, context in
            let companyId = try context.id("id", "Company")
            let boundary = try MultipartFormData.boundary(fromContentType: request.headers[.contentType])
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: CertificateService.maxFileBytes + 64 * 1024)
            } catch {
                throw RequestError(.payloadTooLarge, .bodyTooLarge, "A certificate upload is at most \(CertificateService.maxFileBytes) bytes.")
            }
            let form = try MultipartFormData(body: Array(buffer: body), boundary: boundary)
            guard let file = form.part("file") else { throw FiscalMixError.validation("file", "The form needs a 'file' part with the .pfx.") }
            guard let password = form.part("password") else {
                throw FiscalMixError.validation("password", "The form needs a 'password' part.")
            }
            let record = try await certificates.uploadA1(
                try context.requirePrincipal(), companyId: companyId, file: file.body,
                password: String(decoding: password.body, as: UTF8.self),
                meta: context.meta(request))
            return JSONResponse(.created, headers: [.location: "/v1/certificates/\(record.id.lowercased)"], record)
        }
        group.get("/companies/:id/certificates") { _, context in
            let records = try await certificates.list(try context.requirePrincipal(), companyId: try context.id("id", "Company"))
            return JSONResponse(ListBody(items: records))
        }
        group.get("/certificates", query: .only("expiringWithin")) { request, context in
            let within = try Self.duration(request.textQuery("expiringWithin", maxLength: 8) ?? "30d")
            return JSONResponse(ListBody(items: try await certificates.expiring(try context.requirePrincipal(), within: within)))
        }
        group.post("/certificates/:id/revoke") { request, context in
            JSONResponse(
                try await certificates.revoke(
                    try context.requirePrincipal(), id: try context.id("id", "Certificate"),
                    meta: context.meta(request)))
        }
    }

    /// `30d`, `12h` or `90m`, up to ten years.
    static func duration(_ text: String) throws(FiscalMixError) -> TimeInterval {
        let unit = text.last.map(String.init) ?? ""
        let seconds: Double? =
            switch unit {
            case "d": 86_400
            case "h": 3600
            case "m": 60
            default: nil
            }
        guard let seconds, let amount = Int(text.dropLast()), (0...3650 * 86_400).contains(Double(amount) * seconds) else {
            throw FiscalMixError.validation("expiringWithin", "expiringWithin is a number followed by d, h or m (e.g. 30d).")
        }
        return Double(amount) * seconds
    }
}
