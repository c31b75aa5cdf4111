public import FiscalMixCore

/// What the HTTP edge refuses before a service sees the request: bodies, media types, idempotency keys, origins, credentials' form.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public struct RequestError: ClientFacingError {
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        enum Base: String, Sendable, CaseIterable {
            case blobCorrupt = "blob_corrupt"
            case bodyRequired = "body_required"
            case bodyTooLarge = "body_too_large"
            case crossOriginRefused = "cross_origin_refused"
            case idempotencyKeyInProgress = "idempotency_key_in_progress"
            case idempotencyKeyInvalid = "idempotency_key_invalid"
            case idempotencyKeyReused = "idempotency_key_reused"
            case invalidCharacter = "invalid_character"
            case linkExpired = "link_expired"
            case malformedJson = "malformed_json"
            case malformedMultipart = "malformed_multipart"
            case unsupportedAuthorization = "unsupported_authorization"
            case unsupportedMediaType = "unsupported_media_type"
            case unknownParameter = "unknown_parameter"
        }

        let base: Base

        public static let blobCorrupt = Code(base: .blobCorrupt)
        public static let bodyRequired = Code(base: .bodyRequired)
        public static let bodyTooLarge = Code(base: .bodyTooLarge)
        public static let crossOriginRefused = Code(base: .crossOriginRefused)
        public static let idempotencyKeyInProgress = Code(base: .idempotencyKeyInProgress)
        public static let idempotencyKeyInvalid = Code(base: .idempotencyKeyInvalid)
        public static let idempotencyKeyReused = Code(base: .idempotencyKeyReused)
        public static let invalidCharacter = Code(base: .invalidCharacter)
        public static let linkExpired = Code(base: .linkExpired)
        public static let malformedJson = Code(base: .malformedJson)
        public static let malformedMultipart = Code(base: .malformedMultipart)
        public static let unsupportedAuthorization = Code(base: .unsupportedAuthorization)
        public static let unsupportedMediaType = Code(base: .unsupportedMediaType)
        public static let unknownParameter = Code(base: .unknownParameter)

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
