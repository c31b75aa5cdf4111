import FiscalMixCore
import FiscalMixIdentity
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Turns every error into an `application/problem+json` response.
package struct ProblemMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let response = Self.response(for: error, request: request, context: context)
            return Self.leftBodyUnread(error) ? Self.closingConnection(response, context.channel) : response
        }
    }

    /// `body_too_large` is the answer of a body refused while it was being read (a payload
    /// read whole and then found too big answers `payload_too_large` and keeps the connection).
    package static func leftBodyUnread(_ error: any Error) -> Bool {
        switch error {
        case let error as RequestError: error.code == .bodyTooLarge
        case let error as HTTPError: error.status == .contentTooLarge
        default: false
        }
    }

    /// A body refused for its size is never read: rather than wait for the client to send it
    /// all, the answer says `Connection: close` and the connection stops reading once it is out.
    package static func closingConnection(_ response: Response, _ channel: any Channel) -> Response {
        var response = response
        response.headers[.connection] = "close"
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(writer)
            channel.close(mode: .input, promise: nil)
        }
        return response
    }

    package static func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as any ClientFacingError:
            var headers: HTTPFields = [:]
            if error.kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"fiscalmix\"" }
            return Problem(
                status: error.kind.httpStatus, code: error.publicCode, detail: error.message, requestId: context.requestId,
                details: error.details
            ).response(retryAfter: error.retryAfter, extraHeaders: headers)
        case let error as HTTPError:
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "body_too_large"
            case .unsupportedMediaType: code = "unsupported_media_type"
            case .badRequest: code = "bad_request"
            default: code = error.status.code >= 500 ? "internal_error" : "http_\(error.status.code)"
            }
            let detail = error.status.code >= 500 ? "Something went wrong on our side." : (error.body ?? error.status.reasonPhrase)
            if error.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "request_id": "\(context.requestId)"])
            }
            return Problem(status: error.status, code: code, detail: detail, requestId: context.requestId).response()
        default:
            // Log the internals with the request id; tell the client nothing about them.
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "request_id": "\(context.requestId)"])
            return Problem(
                status: .internalServerError, code: "internal_error", detail: "Something went wrong on our side.",
                requestId: context.requestId
            ).response()
        }
    }
}
