import FiscalMixCore
import FiscalMixDatabase
import FiscalMixIdentity
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Writes a request log row (`request_logs`, docs/data-model.md) for every API call, with the operation being
/// the matched route (`GET /v1/api-keys/{id}`), never the raw path with its ids and queries —
/// and, when `accessLog` is on, the same as one line of the server's log.
package struct RequestLogMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext
    package let writer: RequestLogWriter
    package let accessLog: Bool

    package init(writer: RequestLogWriter, accessLog: Bool) {
        self.writer = writer
        self.accessLog = accessLog
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = ProblemMiddleware.response(for: error, request: request, context: context)
            await record(request, context: context, status: problem.status.code, started: started)
            return problem
        }
        await record(request, context: context, status: response.status.code, started: started)
        return response
    }

    package func record(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) async {
        let elapsed = ContinuousClock.now - started
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let route = context.endpointPath ?? request.uri.path
        let entry = RequestLogEntry(
            id: ID.make(), accountId: context.principal?.accountId, requestId: context.requestId, traceId: context.traceId,
            actorType: context.principal?.actorType, actorId: context.principal?.actorId, method: request.method.rawValue,
            path: String(route.prefix(2048)), operation: "\(request.method.rawValue) \(route)",
            status: RequestLogEntry.status(forHTTP: status), httpStatus: status, latencyMs: ms,
            idempotencyKey: request.headers[.idempotencyKey].map { String($0.prefix(255)) }, ip: context.remoteIP, createdAt: Date())
        writer.append(entry)
        if accessLog {
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "route": "\(entry.path)", "status": "\(status)", "duration_ms": "\(ms)",
                    "request_id": "\(context.requestId)", "account_id": "\(context.principal?.accountId.lowercased ?? "-")",
                ])
        }
    }
}
