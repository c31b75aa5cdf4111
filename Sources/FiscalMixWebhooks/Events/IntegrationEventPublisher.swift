import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// The one path every event takes, from the API or from an internal producer: recorded once per
/// key and fanned out to the endpoints that want it — a delivery and its job each — in the
/// producer's transaction, so an event is never committed without its deliveries.
public struct IntegrationEventPublisher: Sendable {
    /// An event as a producer hands it over.
    public typealias NewEvent = IntegrationEventRepository.NewEvent

    let events: IntegrationEventRepository
    let endpoints: WebhookEndpointRepository
    let deliveries: WebhookDeliveryRepository

    public init(database: Database) {
        events = IntegrationEventRepository(database: database)
        endpoints = WebhookEndpointRepository(database: database)
        deliveries = WebhookDeliveryRepository(database: database)
    }

    /// Returns the events that were new (a key already recorded is skipped, with no delivery).
    /// Each is stored with its final status of the moment: `dispatched` when an endpoint wants
    /// it (its deliveries are created here), `completed` when none does.
    @discardableResult
    public func publish(
        accountId: UUID, _ new: [IntegrationEventRepository.NewEvent], now: Date,
        in tx: Transaction
    ) async throws -> [IntegrationEventRepository.RecordedEvent] {
        guard !new.isEmpty else { return [] }
        let receiving = try await endpoints.receiving(accountId: accountId, in: tx)
        let recorded = try await events.recordAll(
            accountId: accountId, events: new, now: now,
            status: { event in receiving.contains { $0.wants(event.type) } ? .dispatched : .completed }, in: tx)
        let pairs = recorded.flatMap { event in receiving.filter { $0.wants(event.type) }.map { (eventId: event.id, endpointId: $0.id) } }
        try await deliveries.create(accountId: accountId, pairs: pairs, eventsAreNew: true, now: now, in: tx)
        return recorded
    }

    /// Deliveries for `events` to every receiving endpoint that wants them (existing pairs are
    /// kept), then each event's status: `dispatched`, or `completed` when nobody wanted it.
    public func fanOut(
        accountId: UUID, _ events: [(id: UUID, type: String)], now: Date,
        in tx: Transaction
    ) async throws {
        let receiving = try await endpoints.receiving(accountId: accountId, in: tx)
        var pairs: [(eventId: UUID, endpointId: UUID)] = []
        var delivered: [UUID] = []
        var undelivered: [UUID] = []
        for event in events {
            let wanting = receiving.filter { $0.wants(event.type) }
            if wanting.isEmpty { undelivered.append(event.id) } else { delivered.append(event.id) }
            pairs += wanting.map { (event.id, $0.id) }
        }
        try await deliveries.create(accountId: accountId, pairs: pairs, eventsAreNew: false, now: now, in: tx)
        try await self.events.mark(delivered, .dispatched, now: now, in: tx)
        try await self.events.mark(undelivered, .completed, now: now, in: tx)
    }
}
