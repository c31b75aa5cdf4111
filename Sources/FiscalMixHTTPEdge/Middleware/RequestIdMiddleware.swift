import FiscalMixCore
import FiscalMixIdentity
import FiscalMixSecrets
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Gives every request an id (`X-Request-Id`, echoed if sane) and a W3C trace context.
package struct RequestIdMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let given = request.headers[.xRequestId], Self.isSaneRequestId(given) {
            context.requestId = given
        } else {
            context.requestId = ID.make().lowercased
        }
        let trace = request.headers[.traceparent].flatMap(TraceParent.init(header:))
        context.traceId = trace?.traceId ?? TraceParent.newTraceId()
        context.logger[metadataKey: "request_id"] = .string(context.requestId)
        context.logger[metadataKey: "trace_id"] = .string(context.traceId)
        var response = try await next(request, context)
        response.headers[.xRequestId] = context.requestId
        // Continue the caller's trace (or start one) with a span id of our own.
        response.headers[.traceparent] = "00-\(context.traceId)-\(TraceParent.newSpanId())-\(trace?.flags ?? "01")"
        return response
    }

    package static func isSaneRequestId(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count) && value.utf8.allSatisfy { (0x21...0x7e).contains($0) }
    }
}

/// `traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>` (W3C Trace Context).
package struct TraceParent {
    package let traceId: String
    package let parentId: String
    package let flags: String

    package init?(header: String) {
        let parts = header.trimmingWhitespace().split(separator: "-").map(String.init)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }),
            parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16)
        else { return nil }
        traceId = parts[1]
        parentId = parts[2]
        flags = parts[3]
    }

    package static func newTraceId() -> String { randomHex(16) }
    package static func newSpanId() -> String { randomHex(8) }

    package static func randomHex(_ bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return Hex.encode((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}

extension HTTPField.Name {
    package static let xRequestId = Self("X-Request-Id")!
    package static let traceparent = Self("traceparent")!
    package static let idempotencyKey = Self("Idempotency-Key")!
    package static let idempotentReplayed = Self("Idempotent-Replayed")!
}
