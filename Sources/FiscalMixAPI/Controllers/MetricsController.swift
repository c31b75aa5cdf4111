import FiscalMixHTTPEdge
import FiscalMixSecrets
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// How `/metrics` is rendered and guarded; built by the composition root, which owns the
/// Prometheus registry (the HTTP layer knows only the text it returns).
public struct MetricsEndpoint: Sendable {
    /// When set, scrapes must send `Authorization: Bearer <token>`.
    public let bearerToken: String?
    public let render: @Sendable () async throws -> String

    public init(bearerToken: String?, render: @escaping @Sendable () async throws -> String) {
        self.bearerToken = bearerToken
        self.render = render
    }
}

/// Prometheus text exposition (format 0.0.4) of the process's metrics.
struct MetricsController {
    let endpoint: MetricsEndpoint

    func addRoutes(to router: CatalogedGroup) {
        router.get("/metrics") { request, context in
            if let token = endpoint.bearerToken {
                let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
                guard constantTimeEquals(Array(presented.utf8), Array(token.utf8)) else {
                    return Problem(
                        status: .unauthorized, code: "metrics_token_required",
                        detail: "Send the metrics token as 'Authorization: Bearer <token>'.", requestId: context.requestId
                    ).response()
                }
            }
            let text = try await endpoint.render()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
