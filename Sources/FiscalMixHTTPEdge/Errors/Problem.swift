import FiscalMixCore
import FiscalMixIdentity
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// An RFC 9457 problem document. `code` is the stable, machine-readable part; `detail` is for
/// people. Internals never reach it: unexpected errors become `internal_error` and are logged
/// with the request id.
package struct Problem: Codable, Sendable {
    package var type: String
    package var title: String
    package var status: Int
    package var detail: String
    package var code: String
    package var requestId: String?
    package var details: [String: String]?

    package init(status: HTTPResponse.Status, code: String, detail: String, requestId: String?, details: [String: String]? = nil) {
        self.type = "https://fiscalmix.dev/problems/\(code)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.code = code
        self.requestId = requestId
        self.details = details?.isEmpty == true ? nil : details
    }

    package func response(retryAfter: Int? = nil, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let data = (try? APIJSON.encoder.encode(self)) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension FiscalMixError.Kind {
    package var httpStatus: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unprocessable: .unprocessableContent
        case .gone: .gone
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        }
    }
}
