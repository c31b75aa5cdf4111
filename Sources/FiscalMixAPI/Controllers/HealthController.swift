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

/// Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers).
struct HealthController {
    let database: Database
    let benchmarkRoutes: Bool

    func addRoutes(to router: CatalogedGroup) {
        router.get("/healthz") { _, _ in JSONResponse(["status": "ok"]) }
        router.get("/readyz") { _, context in
            do {
                try await database.ping()
                return try JSONResponse(["status": "ready", "database": database.dialect.rawValue]).makeResponse()
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
                return Problem(
                    status: .serviceUnavailable, code: "database_unavailable", detail: "The database is not reachable.",
                    requestId: context.requestId
                ).response()
            }
        }
        if benchmarkRoutes {
            router.get("/hello") { _, _ in "Hello, world!" }
        }
        router.get("/openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
                throw FiscalMixError.notFound("OpenAPI document")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
