/// The refusals every slice shares (a missing or foreign id, a field that fails validation,
/// authentication and scope), and the core values' own parsing errors. A slice's own refusals
/// have their own type (`IdentityError`, `FiscalError` …).
public struct FiscalMixError: ClientFacingError, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case badRequest, unauthorized, forbidden, notFound, conflict, gone, payloadTooLarge, unprocessable, tooManyRequests, unavailable
    }

    public struct Code: PublicErrorCode {
        public enum Base: String, CaseIterable, Sendable {
            case notFound = "not_found"
            case validationFailed = "validation_failed"
            case unauthenticated
            case insufficientScope = "insufficient_scope"
            case invalidCron = "invalid_cron"
            case invalidCnpj = "invalid_cnpj"
            case invalidAccessKey = "invalid_access_key"
        }

        public let base: Base
        public init(base: Base) { self.base = base }

        public static let notFound = Code(base: .notFound)
        public static let validationFailed = Code(base: .validationFailed)
        public static let unauthenticated = Code(base: .unauthenticated)
        public static let insufficientScope = Code(base: .insufficientScope)
        public static let invalidCron = Code(base: .invalidCron)
        public static let invalidCnpj = Code(base: .invalidCnpj)
        public static let invalidAccessKey = Code(base: .invalidAccessKey)
    }

    public let kind: Kind
    public let code: Code
    public let message: String
    public let retryAfter: Int?
    public let details: [String: String]

    public init(_ kind: Kind, _ code: Code, _ message: String, retryAfter: Int? = nil, details: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.details = details
    }

    public var publicCode: String { code.description }

    public static func notFound(_ what: String) -> FiscalMixError {
        .init(.notFound, .notFound, "\(what) not found.")
    }
    public static func validation(_ field: String, _ message: String) -> FiscalMixError {
        .init(.unprocessable, .validationFailed, message, details: ["field": field])
    }
    public static let unauthenticated = FiscalMixError(.unauthorized, .unauthenticated, "Authentication is required.")
    public static func missingScope(_ scope: Scope) -> FiscalMixError {
        .init(
            .forbidden, .insufficientScope, "This action needs the '\(scope.rawValue)' permission.",
            details: ["scope": scope.rawValue])
    }
}
