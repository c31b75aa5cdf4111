public import FiscalMixCore

/// What the webhooks slice refuses: event types and mappings, events, deliveries, the inbox.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public struct WebhooksError: ClientFacingError {
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        enum Base: String, Sendable, CaseIterable {
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

        let base: Base

        public static let deliveryPending = Code(base: .deliveryPending)
        public static let eventIdMissing = Code(base: .eventIdMissing)
        public static let eventTypeExists = Code(base: .eventTypeExists)
        public static let inboxProviderExists = Code(base: .inboxProviderExists)
        public static let invalidMapping = Code(base: .invalidMapping)
        public static let invalidSchema = Code(base: .invalidSchema)
        public static let mappingVersionConflict = Code(base: .mappingVersionConflict)
        public static let payloadInvalid = Code(base: .payloadInvalid)
        public static let payloadTooLarge = Code(base: .payloadTooLarge)
        public static let signatureInvalid = Code(base: .signatureInvalid)
        public static let unknownEventType = Code(base: .unknownEventType)

        public static var allCases: [Code] { Base.allCases.map { Code(base: $0) } }
        public var description: String { base.rawValue }
    }

    public let kind: FiscalMixError.Kind
    public let code: Code
    public let message: String
    public let retryAfter: Int?
    public let details: [String: String]

    public init(_ kind: FiscalMixError.Kind, _ code: Code, _ message: String, retryAfter: Int? = nil, details: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.details = details
    }

    public var publicCode: String { code.description }
}
