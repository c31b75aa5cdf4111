public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixSecrets
import FiscalMixVault
import Foundation

/// TOTP enrolment: start (secret sealed, MFA still off), confirm with a code (MFA on, recovery
/// codes issued once), disable (needs a current code or the password).
public struct MFAService: Sendable {
    let database: Database
    let users: UserRepository
    let recoveryCodes: RecoveryCodeRepository
    let sessions: SessionRepository
    let mfaSecrets: MFASecrets
    let hasher: PasswordHasher
    let audit: AuditTrail
    let auth: AuthService
    let configuration: IdentityConfiguration
    let clock: any WallClock

    public init(database: Database, auth: AuthService) {
        self.database = database
        users = auth.users
        recoveryCodes = auth.recoveryCodes
        sessions = auth.sessions
        mfaSecrets = auth.mfaSecrets
        hasher = auth.hasher
        audit = auth.audit
        self.auth = auth
        configuration = auth.configuration
        clock = auth.clock
    }

    public struct Enrollment: Sendable, Codable {
        public let otpauthUri: String
        public let secret: String
    }

    public func beginEnrollment(_ principal: Principal, meta: RequestMeta) async throws -> Enrollment {
        let credentials = try await currentUser(principal)
        guard !credentials.user.mfaEnabled else {
            throw IdentityError(.conflict, .mfaAlreadyEnabled, "MFA is already on; disable it first to enrol a new device.")
        }
        let secret = TOTP.generateSecret()
        let user = credentials.user
        let sealed = try await mfaSecrets.seal(secret, userId: user.id, accountId: user.accountId)
        try await users.setPendingMFASecret(userId: user.id, sealed: sealed, at: clock.now())
        // An enrolment started before and never confirmed leaves no secret behind.
        try await mfaSecrets.discard(credentials.sealedMFASecret, accountId: user.accountId)
        try await audit.record("mfa.enrollment_started", by: principal, entityType: "user", entityId: credentials.user.id.lowercased, meta: meta)
        return Enrollment(otpauthUri: TOTP(secret: secret).provisioningURI(account: credentials.user.email), secret: Base32.encode(secret))
    }

    /// Turns MFA on when `code` matches the pending secret; returns the recovery codes (shown once).
    public func confirmEnrollment(_ principal: Principal, code: String, meta: RequestMeta) async throws -> [String] {
        let credentials = try await currentUser(principal)
        guard !credentials.user.mfaEnabled else {
            throw IdentityError(.conflict, .mfaAlreadyEnabled, "MFA is already on.")
        }
        guard credentials.sealedMFASecret != nil else {
            throw IdentityError(.conflict, .mfaNotEnrolling, "Start enrolment first (POST /v1/me/mfa/enroll).")
        }
        guard try await auth.verifyTOTP(credentials, code: code, now: clock.now()) else {
            try await audit.record(
                "mfa.confirm_failed", by: principal, status: .failure, entityType: "user",
                entityId: credentials.user.id.lowercased, meta: meta)
            throw IdentityError(.unprocessable, .mfaCodeInvalid, "The code is wrong, expired or already used.")
        }
        let codes = (0..<configuration.recoveryCodeCount).map { _ in Self.makeRecoveryCode() }
        let hashes = codes.map { OpaqueToken.sha256Hex(AuthService.normaliseRecoveryCode($0)) }
        let userId = credentials.user.id
        let now = clock.now()
        let entry = audit.entry("mfa.enabled", by: principal, entityType: "user", entityId: userId.lowercased, meta: meta)
        let auditRepository = audit.repository
        try await database.transaction { [users, recoveryCodes] tx in
            try await users.setMFAEnabled(userId: userId, enabled: true, at: now, in: tx)
            try await recoveryCodes.replace(userId: userId, hashes: hashes, at: now, in: tx)
            try await auditRepository.insert(entry, in: tx)
        }
        return codes
    }

    public func disable(_ principal: Principal, code: String?, password: String?, meta: RequestMeta) async throws {
        let credentials = try await currentUser(principal)
        guard credentials.user.mfaEnabled else {
            throw IdentityError(.conflict, .mfaNotEnabled, "MFA is not on.")
        }
        var proven = false
        if let code, !code.isEmpty { proven = try await auth.verifyTOTP(credentials, code: code, now: clock.now()) }
        if !proven, let password, !password.isEmpty { proven = try await hasher.verify(password, hash: credentials.passwordHash) }
        guard proven else {
            try await audit.record(
                "mfa.disable_failed", by: principal, status: .failure, entityType: "user",
                entityId: credentials.user.id.lowercased, meta: meta)
            throw IdentityError(.unprocessable, .mfaProofInvalid, "Send a current code or your password to turn MFA off.")
        }
        let userId = credentials.user.id
        let now = clock.now()
        let entry = audit.entry("mfa.disabled", by: principal, entityType: "user", entityId: userId.lowercased, meta: meta)
        let auditRepository = audit.repository
        try await database.transaction { [users, recoveryCodes] tx in
            try await users.setMFAEnabled(userId: userId, enabled: false, at: now, in: tx)
            try await recoveryCodes.deleteAll(userId: userId, in: tx)
            try await auditRepository.insert(entry, in: tx)
        }
        try await mfaSecrets.discardAll(userId: userId, accountId: credentials.user.accountId)
    }

    func currentUser(_ principal: Principal) async throws -> UserCredentials {
        guard principal.sessionId != nil, let userId = principal.userId, let credentials = try await users.credentials(id: userId) else {
            throw IdentityError(.forbidden, .sessionRequired, "MFA is managed by a signed-in user, not an API key.")
        }
        return credentials
    }

    /// Ten lower-case letters and digits in two groups of five, e.g. `k3v9q-x7m2p` (~51 bits).
    static func makeRecoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
        return String(chars[0..<5]) + "-" + String(chars[5..<10])
    }
}
