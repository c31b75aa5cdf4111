public import FiscalMixCore

/// What the webhooks slice refuses: event types and mappings, events, deliveries, the inbox.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias WebhooksError = SliceError<WebhooksErrorCode>

public struct WebhooksErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
        case deliveryPending = "delivery_pending"
        case eventIdMissing = "event_id_missing"
        case eventTypeExists = "event_type_exists"
        case inboxProviderExists = "inbox_provider_exists"
        case invalidMapping = "invalid_mapping"
        case invalidSchema = "invalid_schema"
        case mappingVersionConflict = "mapping_version_conflict"
        case payloadInvalid = "payload_invalid"
        case payloadTooLarge = "payload_too_large"
        case signatureInvalid = "signature_invalid"
        case unknownEventType = "unknown_event_type"
    }

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let deliveryPending = Self(base: .deliveryPending)
    public static let eventIdMissing = Self(base: .eventIdMissing)
    public static let eventTypeExists = Self(base: .eventTypeExists)
    public static let inboxProviderExists = Self(base: .inboxProviderExists)
    public static let invalidMapping = Self(base: .invalidMapping)
    public static let invalidSchema = Self(base: .invalidSchema)
    public static let mappingVersionConflict = Self(base: .mappingVersionConflict)
    public static let payloadInvalid = Self(base: .payloadInvalid)
    public static let payloadTooLarge = Self(base: .payloadTooLarge)
    public static let signatureInvalid = Self(base: .signatureInvalid)
    public static let unknownEventType = Self(base: .unknownEventType)
}
