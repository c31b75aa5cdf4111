import FiscalMixConnectors
public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixIdentity
import FiscalMixJSON
public import FiscalMixJobs
public import FiscalMixOutbound
import FiscalMixSecrets
import FiscalMixTransforms
public import FiscalMixVault
public import Foundation
public import Logging

/// The `webhook.deliver` job: one signed POST of one event to one endpoint per run, recorded as
/// an attempt; then success, a retry at the next step of the schedule, or the end (failed, dead,
/// or the endpoint disabled). The delivery row is the truth; the job only carries it.
///
/// An event's first attempts share a job (`WebhookDeliveryRepository.firstAttemptsJob`): its
/// run sends to all of the event's endpoints at once, and a delivery that needs another attempt
/// leaves with a job of its own, written in the same transaction as the attempt. Should the run
/// die midway, the job runs again for the deliveries it still holds (at-least-once, as ever).
///
/// Each run is its own job, but concurrent runs share their database work: their reads go out
/// as one query and their outcomes are recorded together in one transaction (`GroupCommit`),
/// so a busy worker spends a handful of statements per batch instead of several per delivery.
public struct WebhookDeliverer: Sendable {
    let database: Database
    let endpoints: WebhookEndpointRepository
    let accountSettings: AccountSettings
    let deliveries: WebhookDeliveryRepository
    let events: IntegrationEventRepository
    let publisher: IntegrationEventPublisher
    let policies: PolicyLookup
    let keys: SigningKeys
    let outbound: OutboundClient
    let clock: any WallClock
    let logger: Logger
    let loader: GroupCommit<WebhookDeliveryRepository.WorkKey, WebhookDeliveryRepository.Work?>
    let recorder: GroupCommit<WebhookDeliveryRepository.Outcome, Bool>

    /// An endpoint failing every attempt this long is disabled.
    public static let disableAfter: TimeInterval = 5 * 86_400
    /// Per-attempt limits when the endpoint has no policy.
    public static let defaultTimeouts = Policy.Timeouts(connectMs: 5_000, attemptMs: 15_000, totalMs: 15_000)

    public init(database: Database, vault: SecretVault, outbound: OutboundClient, clock: any WallClock, logger: Logger) {
        self.database = database
        endpoints = WebhookEndpointRepository(database: database)
        accountSettings = AccountSettings(database: database)
        deliveries = WebhookDeliveryRepository(database: database)
        events = IntegrationEventRepository(database: database)
        publisher = IntegrationEventPublisher(database: database)
        policies = PolicyLookup(database: database)
        keys = SigningKeys(secrets: OpenedSecrets(database: database, vault: vault))
        self.outbound = outbound
        self.clock = clock
        self.logger = logger
        // One statement in flight each: callers arriving meanwhile form the next batch.
        loader = GroupCommit(maxConcurrent: 1) { [deliveries] keys in
            let found = try await deliveries.work(keys)
            return keys.map { found[$0.deliveryId] }
        }
        recorder = GroupCommit(maxConcurrent: 1) { [database, deliveries, events, clock] outcomes in
            try await database.transaction { tx in
                try await Self.record(outcomes, deliveries: deliveries, events: events, now: clock.now(), in: tx)
            }
        }
    }

    /// Records outcomes and settles the events whose deliveries they ended; says which were
    /// recorded (a delivery replayed to another job meanwhile is not).
    static func record(
        _ outcomes: [WebhookDeliveryRepository.Outcome], deliveries: WebhookDeliveryRepository,
        events: IntegrationEventRepository, now: Date, in tx: Transaction
    ) async throws -> [Bool] {
        let recorded = try await deliveries.record(outcomes, now: now, in: tx)
        let wasRecorded = outcomes.map { recorded.contains(.init(deliveryId: $0.delivery.id, jobId: $0.jobId)) }
        let ended = Set(zip(outcomes, wasRecorded).filter { $1 && $0.delivery.status != .pending }.map(\.0.delivery.eventId))
        try await events.settle(eventIds: Array(ended), now: now, in: tx)
        return wasRecorded
    }

    public var definition: JobDefinition {
        // The schedule's retries are the handler's (`JobFailure.retryAfter`); the job's own
        // policy only covers a crash or a database error inside the handler.
        JobDefinition(type: WebhookDelivery.jobType, maxAttempts: 100, timeout: .seconds(120), retry: .exponential(base: 5, cap: 300)) { context in
            try await deliver(context)
        }
    }

    /// Where a delivery's next attempt goes: its own job, run again later, or (for one of a
    /// shared first-attempt job) a new job of its own.
    enum RetryPlacement: Sendable { case sameJob, ownJob }

    func deliver(_ context: JobContext) async throws {
        guard let payload = context.payload.flatMap({ try? JSON(parsing: $0) }) else { throw JobFailure.doNotRetry(message: "payload is not JSON") }
        let eventId = payload["eventId"]?.stringValue.flatMap(UUID.init(uuidString:))
        if let text = payload["deliveryId"]?.stringValue, let deliveryId = UUID(uuidString: text) {
            let base = payload["base"]?.numberValue?.int64Value.map { Int($0) } ?? 0
            try await deliver(deliveryId, eventId: eventId, base: base, jobId: context.job.id, retry: .sameJob)
            return
        }
        let ids = payload["deliveryIds"]?.arrayValue?.compactMap { $0.stringValue.flatMap(UUID.init(uuidString:)) } ?? []
        guard !ids.isEmpty else { throw JobFailure.doNotRetry(message: "payload has no deliveryId") }
        // One delivery's failure (a database error) does not cut the others short; the job then
        // runs again for the deliveries it still holds.
        let failure = await withTaskGroup(of: (any Error)?.self) { group in
            for id in ids {
                group.addTask {
                    do {
                        try await deliver(id, eventId: eventId, base: 0, jobId: context.job.id, retry: .ownJob)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: (any Error)?
            for await error in group where first == nil { first = error }
            return first
        }
        if let failure { throw failure }
    }

    func deliver(_ deliveryId: UUID, eventId: UUID?, base: Int, jobId: UUID, retry: RetryPlacement) async throws {
        // Finished, replayed to another job, or gone with its endpoint or its month: nothing to do.
        guard let work = try await loader.submit(.init(deliveryId: deliveryId, eventId: eventId)), work.delivery.status == .pending,
            work.delivery.jobId == jobId
        else { return }
        let (delivery, endpoint, event) = (work.delivery, work.endpoint, work.event)
        switch endpoint.status {
        case .paused:
            // Left pending; resuming the endpoint gives every pending delivery a new job.
            return
        case .disabled:
            try await end(delivery, as: .dead, attempt: nil, reason: "endpoint disabled: \(endpoint.disabledReason ?? "by a user")", jobId: jobId)
            return
        case .active:
            break
        }
        // The target system's mapping reshapes the payload; one that fails ends the delivery
        // (retrying cannot fix it; a new version and a replay can).
        var data: JSON?
        if let mapping = work.mapping {
            do {
                data = try MappingCache.shared.transform(mapping).apply(to: try JSON(parsing: event.payloadJSON))
            } catch {
                try await end(delivery, as: .failed, attempt: nil, reason: "mapping v\(mapping.version) failed: \(error)", jobId: jobId)
                return
            }
        }
        let now = clock.now()
        let body = Self.body(event, data: data)
        let timestamp = Int64(now.timeIntervalSince1970)
        var headers: [(String, String)] = [
            ("content-type", "application/json"),
            ("webhook-id", delivery.messageId),
            ("webhook-timestamp", String(timestamp)),
            (
                "webhook-signature",
                try WebhookSignature.header(
                    id: delivery.messageId, timestamp: timestamp, body: body,
                    keys: try await keys.keys(for: endpoint, now: now))
            ),
        ]
        headers += try await customHeaders(of: endpoint).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var attempt = WebhookDeliveryAttempt(
            id: ID.make(now: now), deliveryId: delivery.id, attempt: delivery.attempts + 1, requestedAt: now,
            latencyMs: nil, responseCode: nil, responseExcerpt: nil, error: nil)
        let verdict: DeliveryVerdict
        var retryAfter: TimeInterval?
        let started = ContinuousClock.now
        do {
            var request = OutboundRequest(method: "POST", url: endpoint.url, headers: headers, body: body, operation: "webhook.deliver")
            // Receivers' URLs can carry a secret in their path: the log names the endpoint instead.
            request.logPath = "webhook-endpoint:\(endpoint.id.lowercased)"
            let response = try await outbound.execute(
                request,
                policy: try await policy(for: endpoint),
                context: OutboundContext(accountId: endpoint.accountId, policyKey: endpoint.policyKey, requestId: delivery.messageId))
            attempt.responseCode = response.status
            attempt.responseExcerpt = Self.excerpt(response.body)
            verdict = DeliveryVerdict(status: response.status)
            if verdict != .delivered { attempt.error = "HTTP \(response.status)" }
            if response.status == 429 || response.status == 503, let wait = Backoff.retryAfter(response.header("Retry-After"), now: now) {
                retryAfter = wait.seconds
            }
        } catch let error as OutboundError {
            attempt.error = error.description
            // A URL the guard refuses will not become reachable by waiting.
            verdict = error.code == .invalidURL || error.code == .addressRefused ? .reject : .retry
        }
        let elapsed = started.duration(to: .now)
        attempt.latencyMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        try await settle(
            delivery, endpoint: endpoint, attempt: attempt, verdict: verdict, retryAfter: retryAfter, base: base, jobId: jobId,
            retry: retry)
    }

    /// Records the attempt and moves the delivery on.
    func settle(
        _ delivery: WebhookDelivery, endpoint: WebhookEndpoint, attempt: WebhookDeliveryAttempt, verdict: DeliveryVerdict,
        retryAfter: TimeInterval?, base: Int, jobId: UUID, retry placement: RetryPlacement
    ) async throws {
        let now = clock.now()
        switch verdict {
        case .delivered:
            if endpoint.failingSince == nil {
                try await end(delivery, as: .succeeded, attempt: attempt, reason: nil, jobId: jobId)
            } else {
                try await end(delivery, as: .succeeded, attempt: attempt, reason: nil, jobId: jobId) { [endpoints] tx in
                    try await endpoints.markHealthy(id: endpoint.id, in: tx)
                }
            }
        case .reject:
            try await end(delivery, as: .failed, attempt: attempt, reason: "refused without retry: \(attempt.error ?? "")", jobId: jobId)
        case .gone:
            try await end(delivery, as: .failed, attempt: attempt, reason: "410 Gone: the endpoint was disabled", jobId: jobId) { tx in
                try await disable(endpoint, reason: "the receiver answered 410 Gone", now: now, in: tx)
            }
        case .retry:
            let schedule = try await schedule(for: endpoint)
            var generator = SystemRandomNumberGenerator()
            let failingSince = try await database.transaction { [endpoints] tx in try await endpoints.markFailing(id: endpoint.id, now: now, in: tx) }
            if let failingSince, now.timeIntervalSince(failingSince) >= Self.disableAfter {
                try await end(delivery, as: .dead, attempt: attempt, reason: "endpoint failing for 5 days; disabled", jobId: jobId) { tx in
                    try await disable(endpoint, reason: "every attempt failed for 5 days", now: now, in: tx)
                }
                return
            }
            guard let delay = schedule.delay(afterAttempt: delivery.attempts + 1 - base, retryAfter: retryAfter, using: &generator) else {
                try await end(
                    delivery, as: .dead, attempt: attempt,
                    reason: "retry schedule spent after \(delivery.attempts + 1 - base) attempts; last: \(attempt.error ?? "")", jobId: jobId)
                return
            }
            var next = delivery
            next.attempts += 1
            next.lastAttemptAt = attempt.requestedAt
            next.nextAttemptAt = now.addingTimeInterval(delay)
            next.responseCode = attempt.responseCode
            next.lastError = attempt.error
            next.updatedAt = now
            let retryAt = now.addingTimeInterval(delay)
            var retryJob: NewJob?
            if placement == .ownJob {
                retryJob = WebhookDeliveryRepository.job(
                    deliveryId: delivery.id, eventId: delivery.eventId, accountId: delivery.accountId, base: base,
                    now: now)
                retryJob?.runAt = retryAt
            }
            guard try await recorder.submit(.init(delivery: next, attempt: attempt, jobId: jobId, deadLetterReason: nil, retryJob: retryJob)),
                placement == .sameJob
            else { return }
            throw JobFailure.retryAt(retryAt, message: attempt.error ?? "delivery failed")
        }
    }

    /// Ends a delivery: the attempt (if one was made), its final status, a dead letter unless
    /// it succeeded, the event's status, and whatever `also` adds — one transaction.
    func end(
        _ delivery: WebhookDelivery, as status: WebhookDelivery.Status, attempt: WebhookDeliveryAttempt?, reason: String?, jobId: UUID,
        also: (@Sendable (Transaction) async throws -> Void)? = nil
    ) async throws {
        let now = clock.now()
        var next = delivery
        next.status = status
        next.nextAttemptAt = nil
        next.updatedAt = now
        if let attempt {
            next.attempts += 1
            next.lastAttemptAt = attempt.requestedAt
            next.responseCode = attempt.responseCode
            next.lastError = attempt.error
        }
        if status != .succeeded { next.lastError = reason }
        let outcome = WebhookDeliveryRepository.Outcome(
            delivery: next, attempt: attempt, jobId: jobId,
            deadLetterReason: status == .succeeded ? nil : reason)
        guard let also else {
            _ = try await recorder.submit(outcome)
            return
        }
        // The rare ends that change more than the delivery (disabling the endpoint) keep a
        // transaction of their own.
        try await database.transaction { [deliveries, events] tx in
            guard try await Self.record([outcome], deliveries: deliveries, events: events, now: now, in: tx)[0] else { return }
            try await also(tx)
        }
    }

    /// Disables the endpoint and announces it with an `endpoint.disabled` event.
    func disable(_ endpoint: WebhookEndpoint, reason: String, now: Date, in tx: Transaction) async throws {
        guard try await endpoints.disable(id: endpoint.id, reason: reason, now: now, in: tx) else { return }
        logger.warning("webhook endpoint disabled", metadata: ["endpoint": "\(endpoint.id.lowercased)", "reason": "\(reason)"])
        let payload = JSON.object(
            JSONObject([
                ("endpointId", .string(endpoint.id.lowercased)), ("url", .string(endpoint.url)), ("systemName", .string(endpoint.systemName)),
                ("reason", .string(reason)), ("disabledAt", .string(RFC3339.string(from: now))),
            ]))
        try await publisher.publish(
            accountId: endpoint.accountId,
            [
                .init(
                    key: "endpoint.disabled:\(endpoint.id.lowercased):\(Int(now.timeIntervalSince1970 * 1000))",
                    type: "endpoint.disabled", source: "fiscalmix.webhooks",
                    payloadJSON: payload.serialized())
            ], now: now, in: tx)
    }

    func schedule(for endpoint: WebhookEndpoint) async throws -> DeliveryRetrySchedule {
        if let steps = endpoint.retrySchedule { return DeliveryRetrySchedule(steps: steps) }
        if let steps = try await accountSettings.webhookRetrySchedule(accountId: endpoint.accountId) { return DeliveryRetrySchedule(steps: steps) }
        return .default
    }

    /// The endpoint's policy for one attempt: its timeouts, breaker, concurrency and rate, but
    /// never the outbound client's own retries — the schedule is the retry.
    func policy(for endpoint: WebhookEndpoint) async throws -> Policy {
        var policy = Policy(timeouts: Self.defaultTimeouts)
        if let id = endpoint.policyId, let stored = try await policies.find(id: id, accountId: endpoint.accountId) { policy = stored.policy }
        policy.retry.maxAttempts = 1
        policy.timeouts.totalMs = max(policy.timeouts.totalMs, policy.timeouts.attemptMs)
        if let rate = endpoint.rateLimitPerSecond { policy.rateLimit = Policy.RateLimit(rate: Double(rate), burst: rate) }
        return policy
    }

    /// Standard Webhooks' payload: `{"type", "timestamp", "data"}`; `data` is the event's payload
    /// (or what the target system's mapping made of it),
    /// compact with sorted keys whichever database stored it (PostgreSQL's jsonb reorders keys
    /// and adds spaces), numbers exactly as ingested.
    static func body(_ event: IntegrationEvent, data mapped: JSON? = nil) -> [UInt8] {
        var out = "{\"type\":"
        JSON.writeString(event.type, to: &out)
        let data = (mapped ?? (try? JSON(parsing: event.payloadJSON)))?.serialized(sortedKeys: true) ?? event.payloadJSON
        out += ",\"timestamp\":\"" + RFC3339.string(from: event.createdAt) + "\",\"data\":" + data + "}"
        return Array(out.utf8)
    }

    /// The answer's first 4 KB as text (cut at a character boundary).
    static func excerpt(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        var text = String(decoding: body.prefix(WebhookDeliveryAttempt.excerptBytes), as: UTF8.self)
        while text.utf8.count > WebhookDeliveryAttempt.excerptBytes { text.removeLast() }
        return text
    }
}

extension WebhookDeliverer {
    /// The endpoint's custom headers, opened from the vault (cached by their sealed reference,
    /// which a change of headers replaces).
    func customHeaders(of endpoint: WebhookEndpoint) async throws -> [String: String] {
        guard let refId = endpoint.headersSecretRefId else { return endpoint.headers.filter { !$0.value.isEmpty } }
        let text = try await keys.secrets.secret(refId, accountId: endpoint.accountId)
        return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}
