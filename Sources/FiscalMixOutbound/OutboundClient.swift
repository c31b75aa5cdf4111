import AsyncHTTPClient
public import FiscalMixCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The one HTTP client everything that calls outside uses (connectors, webhooks, SEFAZ): it
/// applies a `Policy` — breaker, concurrency, rate limit, retries, timeouts — refuses internal
/// addresses (SSRF), caps response bodies and records one request-log entry per call.
public final class OutboundClient: Sendable {
    public struct Configuration: Sendable {
        public var addressGuard: AddressGuard
        public var maxResponseBytes: Int
        public var userAgent: String
        /// The allow-lists accounts keep for themselves, applied to calls made for an account.
        public var accountRules: (any AccountAddressRules)?

        public init(
            addressGuard: AddressGuard = AddressGuard(), maxResponseBytes: Int = 10 << 20, userAgent: String = "FiscalMix",
            accountRules: (any AccountAddressRules)? = nil
        ) {
            self.addressGuard = addressGuard
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
            self.accountRules = accountRules
        }
    }

    public let configuration: Configuration
    public let breakers: CircuitBreakers
    public let concurrency: ConcurrencyLimiter
    let rateLimits: any RateLimitStore
    let log: any OutboundLogSink
    /// One AsyncHTTPClient per connect timeout (AsyncHTTPClient sets it per client).
    private let clients = Mutex<[Int: HTTPClient]>([:])

    public init(
        configuration: Configuration = Configuration(), rateLimits: any RateLimitStore = LocalRateLimitStore(),
        breakers: CircuitBreakers = CircuitBreakers(), log: any OutboundLogSink = DiscardingOutboundLog()
    ) {
        self.configuration = configuration
        self.rateLimits = rateLimits
        self.breakers = breakers
        self.concurrency = ConcurrencyLimiter()
        self.log = log
    }

    public func shutdown() async throws {
        let all = clients.withLock { clients in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try await client.shutdown() }
    }

    private func client(connectMs: Int) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[connectMs] { return client }
            var config = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .milliseconds(Int64(connectMs))))
            config.decompression = .disabled
            // FiscalMix bootstraps no distributed tracer; left at its default, the client opens a
            // no-op span and sets its attributes on every request (~1.5% of all CPU samples
            // in a saturated webhook run, perf).
            config.tracing.tracer = nil
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
            clients[connectMs] = client
            return client
        }
    }

    /// Makes the call under `policy`. Returns the last answer the server gave (a 5xx after the
    /// retries are spent is an answer, not an error); throws `OutboundError` when there was none.
    public func execute(_ request: OutboundRequest, policy: Policy, context: OutboundContext) async throws -> OutboundResponse {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + .milliseconds(policy.timeouts.totalMs)
        var attempts = 0
        var lastAnswer: OutboundResponse?
        let parsed = URL(string: request.url)
        let logPath = request.logPath ?? parsed.map { ($0.host ?? "") + $0.path } ?? ""
        func finish(_ answer: OutboundResponse?) {
            let latency = started.duration(to: clock.now)
            let ms = Int(latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000)
            let status = answer.map { $0.status < 400 ? "ok" : ($0.status < 500 ? "client_error" : "server_error") } ?? "failed"
            log.record(
                OutboundLogEntry(
                    accountId: context.accountId, connectorId: context.connectorId, requestId: context.requestId, method: request.method,
                    path: logPath, operation: request.operation, status: status, httpStatus: answer?.status, latencyMs: ms,
                    retryCount: max(0, attempts - 1), idempotencyKey: request.idempotencyKey))
        }
        /// Ends the call: with the last answer the server gave, if any, otherwise with `error`.
        func giveUp(_ error: OutboundError) throws -> OutboundResponse {
            finish(lastAnswer)
            if let lastAnswer { return lastAnswer }
            var error = error
            error.attempts = attempts
            throw error
        }

        guard let url = parsed, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.user == nil, url.password == nil
        else {
            finish(nil)
            throw OutboundError(.invalidURL, "Only http(s) URLs without credentials can be called.")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)

        if let limit = policy.concurrency {
            do {
                try await concurrency.acquire(context.policyKey, limit)
            } catch let error as OutboundError {
                finish(nil)
                throw error
            }
        }
        guard policy.concurrency != nil else { return try await attempt() }
        do {
            let answer = try await attempt()
            concurrency.release(context.policyKey)
            return answer
        } catch {
            concurrency.release(context.policyKey)
            throw error
        }

        /// Attempts until an answer is final, the retries are spent or the deadline passes.
        func attempt() async throws -> OutboundResponse {
            while true {
                if let breaker = policy.circuitBreaker, !(breakers.permit(context.policyKey, breaker)) {
                    return try giveUp(OutboundError(.circuitOpen, "Calls to this system are paused after repeated failures."))
                }
                attempts += 1
                var retryAfter: Duration?
                do {
                    if let rate = policy.rateLimit { try await waitForToken(context.policyKey, rate, until: deadline) }
                    let addresses = try await configuration.addressGuard.check(
                        host: host, port: port, extraAllowed: context.allowedAddresses,
                        accountAllowed: try await accountRules(for: context))
                    let attemptDeadline = min(deadline, clock.now + .milliseconds(policy.timeouts.attemptMs))
                    var answer = try await send(
                        request, url: url, pinnedTo: addresses.first, connectMs: policy.timeouts.connectMs,
                        deadline: attemptDeadline)
                    answer.attempts = attempts
                    answer.latency = started.duration(to: clock.now)
                    let failed = answer.status == 408 || answer.status == 429 || answer.status >= 500
                    if let breaker = policy.circuitBreaker { breakers.record(context.policyKey, breaker, failure: failed) }
                    lastAnswer = answer
                    guard failed, request.isRetrySafe, attempts < policy.retry.maxAttempts else {
                        finish(answer)
                        return answer
                    }
                    if answer.status == 429 || answer.status == 503 {
                        retryAfter = Backoff.retryAfter(answer.header("Retry-After")).map { min($0, .milliseconds(policy.retry.maxRetryAfterMs)) }
                    }
                } catch var error as OutboundError {
                    // refused addresses and limits are not the remote system's failures
                    error.attempts = attempts
                    finish(lastAnswer)
                    throw error
                } catch {
                    if let breaker = policy.circuitBreaker { breakers.record(context.policyKey, breaker, failure: true) }
                    guard request.isRetrySafe, attempts < policy.retry.maxAttempts, clock.now < deadline else {
                        return try giveUp(Self.classify(error))
                    }
                }
                let delay = max(Backoff.delay(afterAttempt: attempts, policy.retry), retryAfter ?? .zero)
                if clock.now + delay >= deadline {
                    return try giveUp(OutboundError(.timeout, "The call did not succeed within \(policy.timeouts.totalMs) ms."))
                }
                try await Task.sleep(for: delay)
            }
        }
    }

    private func waitForToken(_ key: String, _ rate: Policy.RateLimit, until deadline: ContinuousClock.Instant) async throws {
        while true {
            let wait = try await rateLimits.take(key: key, rate: rate.rate, burst: rate.burst)
            if wait <= 0 { return }
            // Waiters that were refused together would wake together and contend again (on
            // PostgreSQL, a burst of statements): spread them over a little more than the wait.
            let pause = Duration.milliseconds(Int((wait * 1000 * Double.random(in: 1...1.5)).rounded(.up)))
            if ContinuousClock.now + pause >= deadline {
                throw OutboundError(.timeout, "The rate limit leaves no room for this call before its deadline.")
            }
            try await Task.sleep(for: pause)
        }
    }

    /// For a call made for an account, the account's own list.
    private func accountRules(for context: OutboundContext) async throws -> [String] {
        guard let accountId = context.accountId, let rules = configuration.accountRules else { return [] }
        return try await rules.rules(for: accountId)
    }

    private func send(
        _ request: OutboundRequest, url: URL, pinnedTo address: String?, connectMs: Int,
        deadline: ContinuousClock.Instant
    ) async throws -> OutboundResponse {
        var target = request.url
        var headers = HTTPHeaders(request.headers)
        // Plain HTTP goes to the address the guard checked, so a second DNS answer cannot
        // redirect it (DNS rebinding); HTTPS keeps the name for certificate verification.
        if url.scheme?.lowercased() == "http", let address, address != url.host,
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        {
            components.host = address.contains(":") ? "[\(address)]" : address
            if let pinned = components.string {
                target = pinned
                if !headers.contains(name: "Host") { headers.add(name: "Host", value: url.port.map { "\(url.host!):\($0)" } ?? url.host!) }
            }
        }
        if !headers.contains(name: "User-Agent") { headers.add(name: "User-Agent", value: configuration.userAgent) }
        if let key = request.idempotencyKey, !headers.contains(name: "Idempotency-Key") { headers.add(name: "Idempotency-Key", value: key) }
        var outgoing = HTTPClientRequest(url: target)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers = headers
        outgoing.tlsConfiguration = request.tlsConfiguration
        if let body = request.body { outgoing.body = .bytes(body) }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let timeout = TimeAmount.nanoseconds(max(1, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000))
        let response = try await client(connectMs: connectMs).execute(outgoing, timeout: timeout)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw OutboundError(.bodyTooLarge, "The answer is larger than \(configuration.maxResponseBytes) bytes.")
        }
        return OutboundResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: body), attempts: 1, latency: .zero)
    }

    static func classify(_ error: any Error) -> OutboundError {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return OutboundError(.timeout, "The server did not answer in time.")
            case .connectTimeout: return OutboundError(.timeout, "The connection could not be made in time.")
            default: return OutboundError(.connectionFailed, "The call failed: \(error.shortDescription).")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            // BoringSSL's text names the alert (e.g. a refused client certificate); it holds no secret.
            return OutboundError(
                .connectionFailed,
                "The TLS handshake failed (a client certificate the server refused, or a server "
                    + "certificate outside the trusted roots): \(String(describing: error)).")
        }
        if let error = error as? IOError {
            // The system call and errno ("connection refused", "reset by peer"): what an operator
            // needs to tell a dead server from a flaky network, and nothing secret.
            return OutboundError(.connectionFailed, "The call failed: \(error.description).")
        }
        return OutboundError(.connectionFailed, "The call failed: \(type(of: error)).")
    }
}
