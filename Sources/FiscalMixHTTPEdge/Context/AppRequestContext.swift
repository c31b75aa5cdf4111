public import FiscalMixCore
public import FiscalMixIdentity
public import Foundation
import HTTPTypes
public import Hummingbird
import Logging
public import NIOCore
import NIOFoundationCompat

/// Per-request state shared by middleware and routes.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-Id`: echoed when the client sent a sane one, generated otherwise.
    public var requestId: String = ""
    /// W3C trace id (from `traceparent`, or new).
    public var traceId: String = ""
    /// The authenticated caller, if any. Routes that need one call `requirePrincipal()`.
    public var principal: Principal?
    /// Why authentication failed, reported only if the route needs a principal.
    public var authenticationError: (any ClientFacingError)?
    /// How the principal authenticated (cookie sessions get CSRF checks).
    public var authenticatedByCookie = false
    public let remoteIP: String?
    /// The connection: a request refused before its body was read closes it (ProblemMiddleware).
    package let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress
        channel = source.channel
    }

    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw authenticationError ?? FiscalMixError.unauthenticated }
        return principal
    }

    public var requestDecoder: JSONDecoder { APIJSON.decoder() }

    public var responseEncoder: APIJSONEncoder { APIJSON.encoder }

    /// Bodies larger than this are refused with 413 before decoding.
    public var maxUploadSize: Int { 1 << 20 }
}

package enum APIJSON {
    package static func parseDate(_ text: String) -> Date? { RFC3339.date(from: text) }

    /// RFC 3339 date-times, with or without fractional seconds.
    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = parseDate(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected an RFC 3339 date-time.")
        }
        return decoder
    }

    package static let encoder = APIJSONEncoder()
}

extension AppRequestContext {
    package func meta(_ request: Request) -> RequestMeta {
        RequestMeta(
            ip: remoteIP, userAgent: request.headers[.userAgent].map { String($0.prefix(512)) }, requestId: requestId,
            traceId: traceId)
    }
}
