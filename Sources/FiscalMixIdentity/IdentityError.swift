public import FiscalMixCore

/// What the identity slice refuses: sign-in, sessions, MFA, API keys, accounts, users, companies.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public struct IdentityError: ClientFacingError {
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        enum Base: String, Sendable, CaseIterable {
            case accountNotActive = "account_not_active"
            case alreadyExists = "already_exists"
            case apiKeyExpired = "api_key_expired"
            case apiKeyRevoked = "api_key_revoked"
            case companyExists = "company_exists"
            case emailTaken = "email_taken"
            case insufficientCompanyRole = "insufficient_company_role"
            case insufficientRole = "insufficient_role"
            case invalidApiKey = "invalid_api_key"
            case invalidCredentials = "invalid_credentials"
            case inviteInvalid = "invite_invalid"
            case lastOwner = "last_owner"
            case mfaAlreadyEnabled = "mfa_already_enabled"
            case mfaCodeInvalid = "mfa_code_invalid"
            case mfaNotEnabled = "mfa_not_enabled"
            case mfaNotEnrolling = "mfa_not_enrolling"
            case mfaProofInvalid = "mfa_proof_invalid"
            case mfaTokenInvalid = "mfa_token_invalid"
            case notASession = "not_a_session"
            case ownAccount = "own_account"
            case ownerRequired = "owner_required"
            case sessionExpired = "session_expired"
            case sessionRequired = "session_required"
            case sessionRevoked = "session_revoked"
            case staffOnly = "staff_only"
            case tooManyLoginAttempts = "too_many_login_attempts"
            case unknownScope = "unknown_scope"
            case userDisabled = "user_disabled"
        }

        let base: Base

        public static let accountNotActive = Code(base: .accountNotActive)
        public static let alreadyExists = Code(base: .alreadyExists)
        public static let apiKeyExpired = Code(base: .apiKeyExpired)
        public static let apiKeyRevoked = Code(base: .apiKeyRevoked)
        public static let companyExists = Code(base: .companyExists)
        public static let emailTaken = Code(base: .emailTaken)
        public static let insufficientCompanyRole = Code(base: .insufficientCompanyRole)
        public static let insufficientRole = Code(base: .insufficientRole)
        public static let invalidApiKey = Code(base: .invalidApiKey)
        public static let invalidCredentials = Code(base: .invalidCredentials)
        public static let inviteInvalid = Code(base: .inviteInvalid)
        public static let lastOwner = Code(base: .lastOwner)
        public static let mfaAlreadyEnabled = Code(base: .mfaAlreadyEnabled)
        public static let mfaCodeInvalid = Code(base: .mfaCodeInvalid)
        public static let mfaNotEnabled = Code(base: .mfaNotEnabled)
        public static let mfaNotEnrolling = Code(base: .mfaNotEnrolling)
        public static let mfaProofInvalid = Code(base: .mfaProofInvalid)
        public static let mfaTokenInvalid = Code(base: .mfaTokenInvalid)
        public static let notASession = Code(base: .notASession)
        public static let ownAccount = Code(base: .ownAccount)
        public static let ownerRequired = Code(base: .ownerRequired)
        public static let sessionExpired = Code(base: .sessionExpired)
        public static let sessionRequired = Code(base: .sessionRequired)
        public static let sessionRevoked = Code(base: .sessionRevoked)
        public static let staffOnly = Code(base: .staffOnly)
        public static let tooManyLoginAttempts = Code(base: .tooManyLoginAttempts)
        public static let unknownScope = Code(base: .unknownScope)
        public static let userDisabled = Code(base: .userDisabled)

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
