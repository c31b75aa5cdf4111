public import FiscalMixCore

/// What the HTTP edge refuses before a service sees the request: bodies, media types, idempotency keys, origins, credentials' form.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias RequestError = SliceError<RequestErrorCode>

public struct RequestErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
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

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let blobCorrupt = Self(base: .blobCorrupt)
    public static let bodyRequired = Self(base: .bodyRequired)
    public static let bodyTooLarge = Self(base: .bodyTooLarge)
    public static let crossOriginRefused = Self(base: .crossOriginRefused)
    public static let idempotencyKeyInProgress = Self(base: .idempotencyKeyInProgress)
    public static let idempotencyKeyInvalid = Self(base: .idempotencyKeyInvalid)
    public static let idempotencyKeyReused = Self(base: .idempotencyKeyReused)
    public static let invalidCharacter = Self(base: .invalidCharacter)
    public static let linkExpired = Self(base: .linkExpired)
    public static let malformedJson = Self(base: .malformedJson)
    public static let malformedMultipart = Self(base: .malformedMultipart)
    public static let unsupportedAuthorization = Self(base: .unsupportedAuthorization)
    public static let unsupportedMediaType = Self(base: .unsupportedMediaType)
    public static let unknownParameter = Self(base: .unknownParameter)
}
