public import Foundation

/// Something that happened, to be delivered (docs/data-model.md `integration_events`). `key` is the
/// producer's id: the same key in the same account is the same event.
public struct IntegrationEvent: Sendable, Equatable {
    /// docs/data-model.md's domain: received → dispatched → completed / failed.
    public enum Status: String, Sendable, Codable, CaseIterable { case received, dispatched, completed, failed }

    public var id: UUID
    public var accountId: UUID
    public var key: String
    public var type: String
    public var sourceSystem: String
    /// The payload as JSON text, exactly as ingested.
    public var payloadJSON: String
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, key: String, type: String, sourceSystem: String, payloadJSON: String, status: Status,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.key = key
        self.type = type
        self.sourceSystem = sourceSystem
        self.payloadJSON = payloadJSON
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An entry of an account's event-type catalogue: a name, what it means, and optionally the
/// JSON Schema (draft 2020-12) every payload of that type must satisfy.
public struct EventType: Sendable, Equatable {
    public var id: UUID
    public var accountId: UUID
    public var name: String
    public var description: String?
    public var payloadSchemaJSON: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, accountId: UUID, name: String, description: String?, payloadSchemaJSON: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.description = description
        self.payloadSchemaJSON = payloadSchemaJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Types FiscalMix itself produces; every account knows them without registering them.
    public static let builtIn: [(name: String, description: String)] = [
        ("fiscal_document.received", "A fiscal document (NF-e, CT-e, NFS-e) or its summary was stored by a sync."),
        ("fiscal_event.received", "An event on a fiscal document (cancellation, correction, manifestation) was stored by a sync."),
        ("endpoint.disabled", "A webhook endpoint was disabled (410 Gone, or failing every attempt for five days)."),
        ("inbox.message.received", "An inbound webhook was accepted by the inbox."),
    ]

    /// `lowercase.dotted_names`: letters, digits, `_`, `-`, separated by dots, up to 255.
    public static func isValidName(_ name: String) -> Bool {
        name.count <= 255 && name.range(of: "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$", options: .regularExpression) != nil
    }
}
