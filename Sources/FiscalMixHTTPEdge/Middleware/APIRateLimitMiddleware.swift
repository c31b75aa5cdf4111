public import FiscalMixCore
import Foundation
import HTTPTypes
public import Hummingbird

/// Per-client and per-account request limits over fixed windows, announced on every answer
/// with `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds to the window's
/// end; the tighter of the two limits) and enforced with 429 + `Retry-After`. Only
/// authenticated requests count: sign-in has its own throttle.
package struct APIRateLimitMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext
    package let limits: APIRateLimits
    package let counter: any RequestCounter
    package let clock: any WallClock

    package init(limits: APIRateLimits, counter: any RequestCounter, clock: any WallClock) {
        self.limits = limits
        self.counter = counter
        self.clock = clock
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !limits.isOff, let principal = context.principal else { return try await next(request, context) }
        let now = clock.now().timeIntervalSince1970
        let windowStart = (now / limits.window).rounded(.down) * limits.window
        let reset = max(1, Int((windowStart + limits.window - now).rounded(.up)))
        let client =
            switch principal.kind {
            case .apiKey(let keyId): "key:\(keyId.lowercased)"
            case .session: "user:\(principal.userId?.lowercased ?? principal.accountId.lowercased)"
            }
        let counts = try await counter.hit(
            [client, "account:\(principal.accountId.lowercased)"], accountId: principal.accountId,
            windowStart: Date(timeIntervalSince1970: windowStart))
        // The tighter limit is the one to report.
        var candidates: [(limit: Int, used: Int)] = []
        if limits.perClient > 0 { candidates.append((limits.perClient, counts[0])) }
        if limits.perAccount > 0 { candidates.append((limits.perAccount, counts[1])) }
        let binding = candidates.min { ($0.limit - $0.used) < ($1.limit - $1.used) }!
        var headers = HTTPFields()
        headers[HTTPField.Name("RateLimit-Limit")!] = String(binding.limit)
        headers[HTTPField.Name("RateLimit-Remaining")!] = String(max(0, binding.limit - binding.used))
        headers[HTTPField.Name("RateLimit-Reset")!] = String(reset)
        if binding.used > binding.limit {
            let which = counts[0] > limits.perClient && limits.perClient > 0 ? "this API key" : "this account"
            return Problem(
                status: .tooManyRequests, code: "rate_limited",
                detail: "Too many requests for \(which): \(binding.limit) per \(Int(limits.window)) s. Retry after \(reset) s.",
                requestId: context.requestId
            ).response(retryAfter: reset, extraHeaders: headers)
        }
        var response = try await next(request, context)
        for field in headers { response.headers[field.name] = field.value }
        return response
    }
}
