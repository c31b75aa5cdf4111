public import FiscalMixCore

/// What the identity slice refuses: sign-in, sessions, MFA, API keys, accounts, users, companies.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias IdentityError = SliceError<IdentityErrorCode>

public struct IdentityErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
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

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let accountNotActive = Self(base: .accountNotActive)
    public static let alreadyExists = Self(base: .alreadyExists)
    public static let apiKeyExpired = Self(base: .apiKeyExpired)
    public static let apiKeyRevoked = Self(base: .apiKeyRevoked)
    public static let companyExists = Self(base: .companyExists)
    public static let emailTaken = Self(base: .emailTaken)
    public static let insufficientCompanyRole = Self(base: .insufficientCompanyRole)
    public static let insufficientRole = Self(base: .insufficientRole)
    public static let invalidApiKey = Self(base: .invalidApiKey)
    public static let invalidCredentials = Self(base: .invalidCredentials)
    public static let inviteInvalid = Self(base: .inviteInvalid)
    public static let lastOwner = Self(base: .lastOwner)
    public static let mfaAlreadyEnabled = Self(base: .mfaAlreadyEnabled)
    public static let mfaCodeInvalid = Self(base: .mfaCodeInvalid)
    public static let mfaNotEnabled = Self(base: .mfaNotEnabled)
    public static let mfaNotEnrolling = Self(base: .mfaNotEnrolling)
    public static let mfaProofInvalid = Self(base: .mfaProofInvalid)
    public static let mfaTokenInvalid = Self(base: .mfaTokenInvalid)
    public static let notASession = Self(base: .notASession)
    public static let ownAccount = Self(base: .ownAccount)
    public static let ownerRequired = Self(base: .ownerRequired)
    public static let sessionExpired = Self(base: .sessionExpired)
    public static let sessionRequired = Self(base: .sessionRequired)
    public static let sessionRevoked = Self(base: .sessionRevoked)
    public static let staffOnly = Self(base: .staffOnly)
    public static let tooManyLoginAttempts = Self(base: .tooManyLoginAttempts)
    public static let unknownScope = Self(base: .unknownScope)
    public static let userDisabled = Self(base: .userDisabled)
}
