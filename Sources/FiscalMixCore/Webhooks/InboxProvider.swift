public import Foundation

/// A sender of inbound webhooks an account accepts at `POST /v1/inbox/{id}`: how its signatures
/// are checked (the scheme and the shared secret, sealed and referenced), where each message's
/// id is (a header, or a JSON Pointer into the body), and the event type accepted messages
/// become.
public struct InboxProvider: Sendable, Equatable {
    public var id: UUID
    public var accountId: UUID
    public var name: String
    /// `standard_webhooks`, `hmac_sha256` or `timestamped_hmac`.
    public var verifier: String
    public var secretRefId: UUID?
    public var signatureHeader: String?
    public var eventIdHeader: String?
    public var eventIdPointer: String?
    public var eventType: String
    public var toleranceSeconds: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, name: String, verifier: String, secretRefId: UUID?, signatureHeader: String?, eventIdHeader: String?,
        eventIdPointer: String?, eventType: String, toleranceSeconds: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.verifier = verifier
        self.secretRefId = secretRefId
        self.signatureHeader = signatureHeader
        self.eventIdHeader = eventIdHeader
        self.eventIdPointer = eventIdPointer
        self.eventType = eventType
        self.toleranceSeconds = toleranceSeconds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One message the inbox accepted (docs/data-model.md WebhookInbox): stored raw, processed once.
public struct InboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case received, processed, ignored, failed }

    public var id: UUID
    public var accountId: UUID
    public var provider: String
    public var eventId: String
    public var status: Status
    /// Where the raw body is kept in the blob store.
    public var payloadRef: String?
    public var payloadJSON: String?
    public var error: String?
    public var receivedAt: Date
    public var processedAt: Date?

    public init(
        id: UUID, accountId: UUID, provider: String, eventId: String, status: Status, payloadRef: String?, payloadJSON: String?,
        error: String?, receivedAt: Date, processedAt: Date?
    ) {
        self.id = id
        self.accountId = accountId
        self.provider = provider
        self.eventId = eventId
        self.status = status
        self.payloadRef = payloadRef
        self.payloadJSON = payloadJSON
        self.error = error
        self.receivedAt = receivedAt
        self.processedAt = processedAt
    }

    /// The job that turns an accepted message into an integration event: `{"messageId": "…"}`.
    public static let jobType = "inbox.process"
}
