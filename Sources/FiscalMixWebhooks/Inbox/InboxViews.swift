public import FiscalMixCore
public import FiscalMixJSON
public import Foundation

public struct InboxProviderInput: Sendable, Decodable {
    public var name: String?
    /// `standard_webhooks`, `hmac_sha256` (GitHub-style `sha256=` header) or `timestamped_hmac`
    /// (Stripe-style `t=…,v1=…`).
    public var verifier: String?
    /// The provider's signing secret; sealed, never shown again.
    public var secret: String?
    public var signatureHeader: String?
    public var eventIdHeader: String?
    public var eventIdPointer: String?
    public var eventType: String?
    public var toleranceSeconds: Int?
}

public struct InboxProviderView: Sendable, Encodable {
    public let id: UUID
    public let name: String
    public let verifier: String
    public let hasSecret: Bool
    public let signatureHeader: String?
    public let eventIdHeader: String?
    public let eventIdPointer: String?
    public let eventType: String
    public let toleranceSeconds: Int
    /// Where the provider posts.
    public let inboxPath: String
    public let createdAt: Date

    init(_ p: InboxProvider) {
        id = p.id
        name = p.name
        verifier = p.verifier
        hasSecret = p.secretRefId != nil
        signatureHeader = p.signatureHeader
        eventIdHeader = p.eventIdHeader
        eventIdPointer = p.eventIdPointer
        eventType = p.eventType
        toleranceSeconds = p.toleranceSeconds
        inboxPath = "/v1/inbox/\(p.id.lowercased)"
        createdAt = p.createdAt
    }
}

public struct InboxMessageView: Sendable, Encodable {
    public let id: UUID
    public let provider: String
    public let eventId: String
    public let status: InboxMessage.Status
    public let payload: JSON?
    public let error: String?
    public let receivedAt: Date
    public let processedAt: Date?

    init(_ m: InboxMessage) {
        id = m.id
        provider = m.provider
        eventId = m.eventId
        status = m.status
        payload = m.payloadJSON.flatMap { try? JSON(parsing: $0) }
        error = m.error
        receivedAt = m.receivedAt
        processedAt = m.processedAt
    }
}
