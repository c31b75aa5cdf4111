public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixIdentity
public import FiscalMixJSON
import FiscalMixJSONSchema
public import Foundation

/// `POST /v1/events` and the reads of events: an event is accepted once per id (a repeat answers
/// with the original), checked against its type's schema, and fanned out to the endpoints that
/// want it in the same transaction — the path the internal producers take too.
public struct EventService: Sendable {
    let database: Database
    let events: IntegrationEventRepository
    let deliveries: WebhookDeliveryRepository
    let publisher: IntegrationEventPublisher
    let types: EventTypeService
    let clock: any WallClock
    /// Concurrent API calls publish together: one transaction for all the events that arrived
    /// while the previous ones were being written.
    let intake: GroupCommit<Publication, IntegrationEventRepository.RecordedEvent?>

    /// One event of one account, on its way in.
    struct Publication: Sendable {
        let accountId: UUID
        let event: IntegrationEventRepository.NewEvent
    }

    public init(database: Database, types: EventTypeService, clock: any WallClock) {
        self.database = database
        events = IntegrationEventRepository(database: database)
        deliveries = WebhookDeliveryRepository(database: database)
        publisher = IntegrationEventPublisher(database: database)
        self.types = types
        self.clock = clock
        intake = GroupCommit(maxConcurrent: 1) { [database, publisher, clock] items in
            try await Self.publish(items, database: database, publisher: publisher, now: clock.now())
        }
    }

    /// Publishes a batch of API events, account by account, in one transaction. Each item gets
    /// its recorded event, or nil when its key was already taken — by an earlier event or by
    /// an earlier item of this very batch.
    static func publish(
        _ items: [Publication], database: Database, publisher: IntegrationEventPublisher,
        now: Date
    ) async throws -> [IntegrationEventRepository.RecordedEvent?] {
        try await database.transaction { tx in
            var answers = [IntegrationEventRepository.RecordedEvent?](repeating: nil, count: items.count)
            for (accountId, indices) in Dictionary(grouping: items.indices, by: { items[$0].accountId }) {
                var recorded: [String: IntegrationEventRepository.RecordedEvent] = [:]
                for event in try await publisher.publish(accountId: accountId, indices.map { items[$0].event }, now: now, in: tx) {
                    recorded[event.key] = event
                }
                for index in indices { answers[index] = recorded.removeValue(forKey: items[index].event.key) }
            }
            return answers
        }
    }

    /// The most a payload may weigh once serialised.
    public static let maxPayloadBytes = 256 * 1024

    /// Returns the event and whether this call created it.
    public func ingest(_ principal: Principal, _ input: EventInput) async throws -> (event: EventView, created: Bool) {
        try principal.require(.webhooksWrite)
        guard let type = input.eventType else { throw FiscalMixError.validation("eventType", "An event needs an eventType.") }
        guard EventType.isValidName(type) else { throw FiscalMixError.validation("eventType", "eventType is not a valid event-type name.") }
        let source = input.sourceSystem ?? "api"
        guard (1...255).contains(source.count) else { throw FiscalMixError.validation("sourceSystem", "sourceSystem has 1 to 255 characters.") }
        guard let payload = input.payload else { throw FiscalMixError.validation("payload", "An event needs a payload.") }
        let key = input.id ?? "evt_" + ID.make(now: clock.now()).lowercased.replacingOccurrences(of: "-", with: "")
        guard (1...255).contains(key.count), key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 }) else {
            throw FiscalMixError.validation("id", "id has 1 to 255 printable ASCII characters without spaces.")
        }
        // A repeated id is answered before anything else is checked: the first call decided.
        // (A generated id is new by construction.)
        if input.id != nil, let existing = try await events.find(key: key, accountId: principal.accountId) { return (EventView(existing), false) }
        let text = payload.serialized()
        guard text.utf8.count <= Self.maxPayloadBytes else {
            throw WebhooksError(.payloadTooLarge, .payloadTooLarge, "The payload is larger than \(Self.maxPayloadBytes) bytes.")
        }
        let (known, schema) = try await types.resolve(type, accountId: principal.accountId)
        guard known else {
            throw WebhooksError(
                .unprocessable, .unknownEventType, "'\(type)' is not in this account's event-type catalogue; create it with POST /v1/event-types.")
        }
        if let schema {
            let result = schema.validate(payload)
            guard result.valid else {
                let first = result.errors.prefix(5).map(\.description).joined(separator: "; ")
                throw WebhooksError(.unprocessable, .payloadInvalid, "The payload does not match the schema of '\(type)': \(first)")
            }
        }
        let new = IntegrationEventRepository.NewEvent(key: key, type: type, source: source, payloadJSON: text)
        if let recorded = try await intake.submit(Publication(accountId: principal.accountId, event: new)) {
            return (
                EventView(
                    IntegrationEvent(
                        id: recorded.id, accountId: principal.accountId, key: key, type: type, sourceSystem: source,
                        payloadJSON: text, status: recorded.status, createdAt: recorded.createdAt,
                        updatedAt: recorded.createdAt)), true
            )
        }
        // Lost a race with the same id: the winner's event is the answer.
        guard let stored = try await events.find(key: key, accountId: principal.accountId) else { throw FiscalMixError.notFound("Event") }
        return (EventView(stored), false)
    }

    public func list(_ principal: Principal, type: String?, status: IntegrationEvent.Status?, page: PageRequest) async throws -> Page<EventView> {
        try principal.require(.webhooksRead)
        let found = try await events.list(accountId: principal.accountId, type: type, status: status, page: page)
        return Page(items: found.items.map { EventView($0) }, nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> EventView {
        try principal.require(.webhooksRead)
        let event = try await find(id, principal)
        let deliveries = try await deliveries.list(accountId: principal.accountId, .init(eventId: event.id), page: PageRequest(limit: 200))
        return EventView(event, deliveries: deliveries.items.map(DeliveryView.init))
    }

    /// Sends the event again to every endpoint that wants it now: finished deliveries go back to
    /// pending (their `webhook-id` unchanged), endpoints created since get a new one.
    public func replay(_ principal: Principal, id: UUID) async throws -> EventView {
        try principal.require(.webhooksWrite)
        let event = try await find(id, principal)
        let now = clock.now()
        try await database.transaction { [deliveries, publisher, events] tx in
            _ = try await deliveries.replay(accountId: event.accountId, eventId: event.id, onlyUnsuccessful: false, now: now, in: tx)
            try await publisher.fanOut(accountId: event.accountId, [(event.id, event.type)], now: now, in: tx)
            try await events.reopen(eventId: event.id, now: now, in: tx)
            try await events.settle(eventId: event.id, now: now, in: tx)
        }
        return try await get(principal, id: id)
    }

    func find(_ id: UUID, _ principal: Principal) async throws -> IntegrationEvent {
        guard let event = try await events.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Event") }
        return event
    }
}

public struct EventInput: Sendable, Decodable {
    /// The producer's id: the same id is the same event.
    public var id: String?
    public var eventType: String?
    public var sourceSystem: String?
    public var payload: JSON?
}

public struct EventView: Sendable, Encodable {
    public let id: UUID
    /// The producer's id (generated when none was given).
    public let eventId: String
    public let eventType: String
    public let sourceSystem: String
    public let status: IntegrationEvent.Status
    public let payload: JSON
    public let deliveries: [DeliveryView]?
    public let createdAt: Date
    public let updatedAt: Date

    init(_ e: IntegrationEvent, deliveries: [DeliveryView]? = nil) {
        id = e.id
        eventId = e.key
        eventType = e.type
        sourceSystem = e.sourceSystem
        status = e.status
        payload = (try? JSON(parsing: e.payloadJSON)) ?? .null
        self.deliveries = deliveries
        createdAt = e.createdAt
        updatedAt = e.updatedAt
    }
}
