public import Foundation

/// How an event's payload is reshaped for one target system before delivery (docs/data-model.md
/// `event_mappings`): a transform in a DSL profile (`jsonata`, `jmespath` or `custom`),
/// versioned; the newest active version per (event type, target system) applies, and an
/// endpoint's `systemName` is its target system.
public struct EventMapping: Sendable, Equatable {
    public var id: UUID
    public var accountId: UUID
    public var eventType: String
    public var targetSystem: String
    public var profile: String
    /// The expression as a JSON string (`jsonata`, `jmespath`) or the template object (`custom`).
    public var mappingJSON: String
    public var version: Int
    public var active: Bool
    public var createdAt: Date

    public init(
        id: UUID, accountId: UUID, eventType: String, targetSystem: String, profile: String, mappingJSON: String, version: Int,
        active: Bool, createdAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.eventType = eventType
        self.targetSystem = targetSystem
        self.profile = profile
        self.mappingJSON = mappingJSON
        self.version = version
        self.active = active
        self.createdAt = createdAt
    }
}
