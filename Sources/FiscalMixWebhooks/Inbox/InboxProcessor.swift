public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixJSON
public import FiscalMixJobs
import Foundation

/// The `inbox.process` job: an accepted inbound message becomes an integration event of its
/// provider's event type (and so reaches the endpoints that want it), exactly once — the
/// event's key is the provider's event id, and the message moves to `processed` in the same
/// transaction.
public struct InboxProcessor: Sendable {
    let database: Database
    let inbox: InboxRepository
    let publisher: IntegrationEventPublisher
    let blobs: any BlobStore
    let clock: any WallClock

    public init(database: Database, blobs: any BlobStore, clock: any WallClock) {
        self.database = database
        inbox = InboxRepository(database: database)
        publisher = IntegrationEventPublisher(database: database)
        self.blobs = blobs
        self.clock = clock
    }

    static func job(messageId: UUID, accountId: UUID) -> NewJob {
        NewJob(
            type: InboxMessage.jobType, accountId: accountId, payload: "{\"messageId\":\"\(messageId.lowercased)\"}", maxAttempts: 5,
            correlationId: messageId.lowercased)
    }

    public var definition: JobDefinition {
        JobDefinition(type: InboxMessage.jobType, maxAttempts: 5, timeout: .seconds(60)) { context in try await process(context) }
    }

    func process(_ context: JobContext) async throws {
        guard let text = context.payload.flatMap({ try? JSON(parsing: $0) })?["messageId"]?.stringValue, let id = UUID(uuidString: text) else {
            throw JobFailure.doNotRetry(message: "payload has no messageId")
        }
        guard let message = try await inbox.message(id: id), message.status == .received else { return }
        let now = clock.now()
        guard let provider = try await inbox.provider(name: message.provider, accountId: message.accountId) else {
            _ = try await database.transaction { [inbox] tx in
                try await inbox.finish(id: message.id, status: .ignored, error: "the provider was deleted", now: now, in: tx)
            }
            return
        }
        // The body as JSON when it is JSON, else as text.
        var body: JSON = .null
        if let stored = message.payloadJSON, let json = try? JSON(parsing: stored) {
            body = json
        } else if let key = message.payloadRef, let bytes = try await blobs.get(key) {
            body = .string(String(decoding: bytes, as: UTF8.self))
        }
        let payload = JSON.object(
            JSONObject([
                ("provider", .string(message.provider)), ("eventId", .string(message.eventId)),
                ("receivedAt", .string(RFC3339.string(from: message.receivedAt))), ("body", body),
            ]))
        try await database.transaction { [inbox, publisher] tx in
            guard try await inbox.finish(id: message.id, status: .processed, error: nil, now: now, in: tx) else { return }
            try await publisher.publish(
                accountId: message.accountId,
                [
                    .init(
                        key: "inbox:\(message.provider):\(message.eventId)", type: provider.eventType,
                        source: "inbox.\(message.provider)", payloadJSON: payload.serialized())
                ],
                now: now, in: tx)
        }
    }
}
