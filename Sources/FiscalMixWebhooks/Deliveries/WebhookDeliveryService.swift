public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixIdentity
public import Foundation

/// Reads deliveries with their attempts, and replays them: one delivery, or every failed and
/// dead delivery of an endpoint since a time.
public struct WebhookDeliveryService: Sendable {
    let database: Database
    let deliveries: WebhookDeliveryRepository
    let endpoints: WebhookEndpointRepository
    let events: IntegrationEventRepository
    let clock: any WallClock

    public init(database: Database, clock: any WallClock) {
        self.database = database
        deliveries = WebhookDeliveryRepository(database: database)
        endpoints = WebhookEndpointRepository(database: database)
        events = IntegrationEventRepository(database: database)
        self.clock = clock
    }

    public func list(_ principal: Principal, endpointId: UUID, status: WebhookDelivery.Status?, page: PageRequest) async throws -> Page<DeliveryView>
    {
        try principal.require(.webhooksRead)
        guard try await endpoints.find(id: endpointId, accountId: principal.accountId) != nil else {
            throw FiscalMixError.notFound("Webhook endpoint")
        }
        let found = try await deliveries.list(accountId: principal.accountId, .init(endpointId: endpointId, status: status), page: page)
        return Page(items: found.items.map(DeliveryView.init), nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> DeliveryView {
        try principal.require(.webhooksRead)
        let delivery = try await find(id, principal)
        return DeliveryView(delivery, attempts: try await deliveries.attempts(deliveryId: delivery.id))
    }

    /// Sends one delivery again, whatever its outcome was (not while it is still pending).
    public func replay(_ principal: Principal, id: UUID) async throws -> DeliveryView {
        try principal.require(.webhooksWrite)
        let delivery = try await find(id, principal)
        guard delivery.status != .pending else {
            throw WebhooksError(.conflict, .deliveryPending, "This delivery is still being attempted.")
        }
        let now = clock.now()
        try await database.transaction { [deliveries, events] tx in
            _ = try await deliveries.replay(accountId: delivery.accountId, ids: [delivery.id], onlyUnsuccessful: false, now: now, in: tx)
            try await events.reopen(eventId: delivery.eventId, now: now, in: tx)
        }
        return try await get(principal, id: id)
    }

    /// Sends again every failed or dead delivery of the endpoint that ended since `since`.
    public func replayEndpoint(_ principal: Principal, endpointId: UUID, since: Date) async throws -> Int {
        try principal.require(.webhooksWrite)
        guard try await endpoints.find(id: endpointId, accountId: principal.accountId) != nil else {
            throw FiscalMixError.notFound("Webhook endpoint")
        }
        let now = clock.now()
        return try await database.transaction { [deliveries, events] tx in
            let ids = try await deliveries.replay(
                accountId: principal.accountId, endpointId: endpointId, since: since, onlyUnsuccessful: true,
                now: now, in: tx)
            for eventId in try await deliveries.eventIds(of: ids, in: tx) { try await events.reopen(eventId: eventId, now: now, in: tx) }
            return ids.count
        }
    }

    func find(_ id: UUID, _ principal: Principal) async throws -> WebhookDelivery {
        guard let d = try await deliveries.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Delivery") }
        return d
    }
}

public struct ReplayInput: Sendable, Decodable {
    public var since: Date?
}

public struct ReplayResult: Sendable, Encodable {
    public let replayed: Int
    public init(replayed: Int) { self.replayed = replayed }
}

public struct DeliveryView: Sendable, Encodable {
    public let id: UUID
    public let endpointId: UUID
    public let eventId: UUID
    /// The `webhook-id` header: the same on every attempt and replay.
    public let messageId: String
    public let status: WebhookDelivery.Status
    public let attempts: Int
    public let lastAttemptAt: Date?
    public let nextAttemptAt: Date?
    public let responseCode: Int?
    public let lastError: String?
    public let attemptLog: [AttemptView]?
    public let createdAt: Date
    public let updatedAt: Date

    public struct AttemptView: Sendable, Encodable {
        public let attempt: Int
        public let requestedAt: Date
        public let latencyMs: Int?
        public let responseCode: Int?
        public let responseExcerpt: String?
        public let error: String?
    }

    init(_ d: WebhookDelivery) { self.init(d, attempts: nil) }

    init(_ d: WebhookDelivery, attempts: [WebhookDeliveryAttempt]?) {
        id = d.id
        endpointId = d.endpointId
        eventId = d.eventId
        messageId = d.messageId
        status = d.status
        self.attempts = d.attempts
        lastAttemptAt = d.lastAttemptAt
        nextAttemptAt = d.nextAttemptAt
        responseCode = d.responseCode
        lastError = d.lastError
        attemptLog = attempts?.map {
            AttemptView(
                attempt: $0.attempt, requestedAt: $0.requestedAt, latencyMs: $0.latencyMs, responseCode: $0.responseCode,
                responseExcerpt: $0.responseExcerpt, error: $0.error)
        }
        createdAt = d.createdAt
        updatedAt = d.updatedAt
    }
}
