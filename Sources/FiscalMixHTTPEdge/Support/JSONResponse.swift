import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixIdentity
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// A JSON response with an explicit status.
package struct JSONResponse<Body: Encodable & Sendable>: ResponseGenerator {
    package var status: HTTPResponse.Status = .ok
    package var headers: HTTPFields = [:]
    package let body: Body

    package init(_ body: Body) {
        self.body = body
    }

    package init(_ status: HTTPResponse.Status, headers: HTTPFields = [:], _ body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        try makeResponse()
    }

    package func makeResponse() throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try APIJSON.encoder.encode(body)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `{"items": [...], "nextCursor": "..."}` — the shape of every list.
package struct ListBody<Item: Encodable & Sendable>: Encodable, Sendable {
    package let items: [Item]
    package let nextCursor: String?

    package init(_ page: Page<Item>) {
        items = page.items
        nextCursor = page.nextCursor
    }

    package init(items: [Item]) {
        self.items = items
        nextCursor = nil
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // explicit null: "no more pages"
    }

    package enum CodingKeys: String, CodingKey { case items, nextCursor }
}

extension Request {
    /// `?limit=` (1…200, default 50) and `?cursor=` (opaque, from a previous page).
    /// `limit`, 1 to `PageRequest.maxLimit` (default 50).
    package func limitQuery() throws -> Int {
        guard let raw = uri.queryParameters["limit"] else { return 50 }
        guard let value = Int(String(raw)), (1...PageRequest.maxLimit).contains(value) else {
            throw FiscalMixError.validation("limit", "limit must be an integer from 1 to \(PageRequest.maxLimit).")
        }
        return value
    }

    package func pageRequest() throws -> PageRequest {
        let limit = try limitQuery()
        var after: UUID?
        if let raw = uri.queryParameters["cursor"], !raw.isEmpty {
            guard let id = Cursor.decode(String(raw)) else { throw FiscalMixError.validation("cursor", "cursor is not valid.") }
            after = id
        }
        return PageRequest(limit: limit, after: after)
    }
}
