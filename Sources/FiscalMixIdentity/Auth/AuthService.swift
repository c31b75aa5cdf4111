public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixSecrets
import FiscalMixVault
public import Foundation
public import Logging
import Synchronization

/// Sign-in (password, then TOTP or a recovery code when MFA is on), sessions and API-key
/// authentication.
public struct AuthService: Sendable {
    public enum LoginResult: Sendable {
        /// Signed in: the session token goes into the cookie.
        case signedIn(token: String, session: SessionRecord, user: User)
        /// Password accepted; a code is needed. The token identifies this half-finished login.
        case mfaRequired(mfaToken: String, expiresAt: Date)
    }

    static let sessionTokenPrefix = "fms_"
    static let mfaTokenPrefix = "fmm_"
    static let apiKeyPrefix = "fmk_"

    let users: UserRepository
    let sessions: SessionRepository
    let apiKeys: ApiKeyRepository
    let attempts: LoginAttemptRepository
    let recoveryCodes: RecoveryCodeRepository
    let audit: AuditTrail
    let hasher: PasswordHasher
    public let mfaSecrets: MFASecrets
    let configuration: IdentityConfiguration
    public let clock: any WallClock
    let decoy: DecoyHash
    let touches: TouchThrottle
    public let cache: CredentialCache
    /// The audit trail other features write to.
    public var auditTrail: AuditTrail { audit }

    public init(database: Database, mfaSecrets: MFASecrets, configuration: IdentityConfiguration, clock: any WallClock, logger: Logger) {
        users = UserRepository(database: database)
        sessions = SessionRepository(database: database)
        apiKeys = ApiKeyRepository(database: database)
        attempts = LoginAttemptRepository(database: database)
        recoveryCodes = RecoveryCodeRepository(database: database)
        audit = AuditTrail(repository: AuditRepository(database: database), clock: clock, logger: logger)
        hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.mfaSecrets = mfaSecrets
        self.configuration = configuration
        self.clock = clock
        decoy = DecoyHash(hasher: hasher)
        touches = TouchThrottle(interval: configuration.touchInterval)
        cache = CredentialCache(ttl: configuration.credentialCacheTTL)
    }

    // MARK: Password step

    public func login(email rawEmail: String, password: String, meta: RequestMeta) async throws -> LoginResult {
        guard rawEmail.count <= 254, password.utf8.count <= 1024 else {
            throw IdentityError(.unauthorized, .invalidCredentials, "Email or password is wrong.")
        }
        let email = (try? EmailAddress(rawEmail).value) ?? rawEmail.trimmingWhitespace().lowercased()
        let ip = String((meta.ip ?? "unknown").prefix(64))
        let now = clock.now()
        try await enforceThrottle(email: email, ip: ip, now: now, meta: meta)

        guard let credentials = try await users.credentials(email: email) else {
            // Same work as a real check, so response time does not reveal which emails exist.
            _ = try await hasher.verify(password, hash: try await decoy.value())
            try await fail(email: email, ip: ip, reason: "unknown_email", accountId: nil, userId: nil, meta: meta)
        }
        guard try await hasher.verify(password, hash: credentials.passwordHash) else {
            try await fail(
                email: email, ip: ip, reason: "wrong_password", accountId: credentials.user.accountId,
                userId: credentials.user.id, meta: meta)
        }
        let user = credentials.user
        guard user.status == .active else {
            try await fail(email: email, ip: ip, reason: "user_disabled", accountId: user.accountId, userId: user.id, meta: meta)
        }

        if user.mfaEnabled {
            let token = OpaqueToken.generate(prefix: Self.mfaTokenPrefix)
            let expires = now.addingTimeInterval(configuration.mfaPendingTimeout)
            let pending = SessionRecord(
                id: ID.make(now: now), userId: user.id, accountId: user.accountId, roles: roles(of: user),
                ip: meta.ip, userAgent: meta.userAgent, mfaPending: true, createdAt: now, lastSeenAt: now,
                idleExpiresAt: expires, expiresAt: expires, revoked: false)
            try await sessions.insert(pending, tokenHash: OpaqueToken.sha256Hex(token))
            try await audit.record(
                "login.password_accepted", by: nil, accountId: user.accountId, userId: user.id,
                entityType: "user", entityId: user.id.lowercased, metadata: ["mfa": "required"], meta: meta)
            return .mfaRequired(mfaToken: token, expiresAt: expires)
        }
        return try await startSession(for: user, email: email, ip: ip, now: now, method: "password", meta: meta)
    }

    // MARK: MFA step

    /// Completes a login with a TOTP code or, failing that, one of the recovery codes.
    public func completeMFA(mfaToken: String, code: String?, recoveryCode: String?, meta: RequestMeta) async throws -> LoginResult {
        let now = clock.now()
        let invalid = IdentityError(.unauthorized, .mfaTokenInvalid, "The sign-in step expired or is unknown; sign in again.")
        guard let lookup = try await sessions.lookup(tokenHash: OpaqueToken.sha256Hex(mfaToken)),
            lookup.session.mfaPending, !lookup.session.revoked, lookup.session.expiresAt > now,
            let credentials = try await users.credentials(id: lookup.session.userId), credentials.user.mfaEnabled
        else { throw invalid }
        let user = credentials.user
        let email = user.email
        let ip = meta.ip ?? "unknown"
        try await enforceThrottle(email: email, ip: ip, now: now, meta: meta)

        var method = "totp"
        if let code, !code.isEmpty {
            guard try await verifyTOTP(credentials, code: code, now: now) else {
                try await fail(
                    email: email, ip: ip, reason: "mfa_code_invalid", accountId: user.accountId, userId: user.id, meta: meta,
                    error: IdentityError(.unauthorized, .mfaCodeInvalid, "The code is wrong, expired or already used."))
            }
        } else if let recoveryCode, !recoveryCode.isEmpty {
            let hash = OpaqueToken.sha256Hex(Self.normaliseRecoveryCode(recoveryCode))
            guard try await recoveryCodes.consume(userId: user.id, hash: hash, at: now) else {
                try await fail(
                    email: email, ip: ip, reason: "recovery_code_invalid", accountId: user.accountId, userId: user.id, meta: meta,
                    error: IdentityError(.unauthorized, .mfaCodeInvalid, "The recovery code is wrong or already used."))
            }
            method = "recovery_code"
            try await audit.record(
                "mfa.recovery_code_used", by: nil, accountId: user.accountId, userId: user.id,
                entityType: "user", entityId: user.id.lowercased, meta: meta)
        } else {
            throw FiscalMixError.validation("code", "Send `code` (from the authenticator app) or `recoveryCode`.")
        }
        // The pending session row is spent either way; the real session gets a fresh token.
        try await sessions.revoke(id: lookup.session.id, accountId: user.accountId, reason: "mfa_completed", at: now)
        return try await startSession(for: user, email: email, ip: ip, now: now, method: method, meta: meta)
    }

    func verifyTOTP(_ credentials: UserCredentials, code: String, now: Date) async throws -> Bool {
        guard let sealed = credentials.sealedMFASecret else { return false }
        let user = credentials.user
        let secret = try await mfaSecrets.open(sealed, userId: user.id, accountId: user.accountId)
        guard let step = TOTP(secret: Array(secret)).verify(code, at: now, lastUsedStep: credentials.mfaLastUsedStep) else {
            return false
        }
        // Atomic: of two requests racing with the same code, one wins.
        guard try await users.consumeTOTPStep(userId: user.id, step: step) else { return false }
        // A secret sealed the old way moves into the vault once it has proved itself.
        try await mfaSecrets.upgrade(sealed, userId: user.id, accountId: user.accountId)
        return true
    }

    static func normaliseRecoveryCode(_ code: String) -> String {
        code.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    // MARK: Sessions

    func startSession(for user: User, email: String, ip: String, now: Date, method: String, meta: RequestMeta) async throws -> LoginResult {
        let token = OpaqueToken.generate(prefix: Self.sessionTokenPrefix)
        let session = SessionRecord(
            id: ID.make(now: now), userId: user.id, accountId: user.accountId, roles: roles(of: user), ip: meta.ip,
            userAgent: meta.userAgent, mfaPending: false, createdAt: now, lastSeenAt: now,
            idleExpiresAt: now.addingTimeInterval(min(configuration.sessionIdleTimeout, configuration.sessionAbsoluteTimeout)),
            expiresAt: now.addingTimeInterval(configuration.sessionAbsoluteTimeout), revoked: false)
        try await sessions.insert(session, tokenHash: OpaqueToken.sha256Hex(token))
        try await attempts.record(email: email, ip: ip, succeeded: true, at: now)
        try await attempts.clearFailures(email: email)
        try await users.recordLogin(userId: user.id, at: now)
        try await audit.record(
            "login.success", by: nil, accountId: user.accountId, userId: user.id, entityType: "session",
            entityId: session.id.lowercased, metadata: ["method": method], meta: meta)
        return .signedIn(token: token, session: session, user: user)
    }

    func roles(of user: User) -> [String] {
        [user.role.rawValue] + (user.isStaff ? ["staff"] : [])
    }

    /// Resolves a session cookie to a principal, sliding its idle expiry.
    public func authenticateSession(token: String) async throws -> Principal {
        guard token.hasPrefix(Self.sessionTokenPrefix),
            let lookup = try await sessions.lookup(tokenHash: OpaqueToken.sha256Hex(token)), !lookup.session.mfaPending
        else { throw FiscalMixError.unauthenticated }
        let session = lookup.session
        let now = clock.now()
        guard !session.revoked else { throw IdentityError(.unauthorized, .sessionRevoked, "This session was signed out.") }
        guard session.expiresAt > now, session.idleExpiresAt > now else {
            throw IdentityError(.unauthorized, .sessionExpired, "This session has expired; sign in again.")
        }
        guard lookup.userStatus == .active else { throw IdentityError(.unauthorized, .userDisabled, "This user is disabled.") }
        guard lookup.accountStatus == .active else {
            throw IdentityError(.forbidden, .accountNotActive, "This account is \(lookup.accountStatus.rawValue).")
        }
        if touches.shouldTouch(session.id, now: now) {
            let idle = min(now.addingTimeInterval(configuration.sessionIdleTimeout), session.expiresAt)
            try await sessions.touch(id: session.id, at: now, idleExpiresAt: idle)
        }
        return Principal(
            kind: .session(sessionId: session.id), accountId: session.accountId, userId: session.userId,
            role: lookup.userRole, isStaff: lookup.isStaff, scopes: lookup.userRole.scopes)
    }

    /// Resolves an `Authorization: Bearer fmk_…` API key to a principal (see `CredentialCache`
    /// for how long a resolved key is remembered).
    public func authenticateApiKey(_ secret: String) async throws -> Principal {
        let invalid = IdentityError(.unauthorized, .invalidApiKey, "The API key is not valid.")
        guard secret.hasPrefix(Self.apiKeyPrefix) else { throw invalid }
        let hash = OpaqueToken.sha256Hex(secret)
        let now = clock.now()
        if let (principal, expiresAt) = cache.principal(forKeyHash: hash, now: now) {
            try Self.checkExpiry(expiresAt, now: now)
            try await touchKey(principal, now: now)
            return principal
        }
        guard let lookup = try await apiKeys.lookup(hash: hash) else { throw invalid }
        let key = lookup.key
        guard key.status == .active else { throw IdentityError(.unauthorized, .apiKeyRevoked, "This API key was revoked.") }
        try Self.checkExpiry(key.expiresAt, now: now)
        guard lookup.accountStatus == .active else {
            throw IdentityError(.forbidden, .accountNotActive, "This account is \(lookup.accountStatus.rawValue).")
        }
        let principal = Principal(
            kind: .apiKey(keyId: key.id), accountId: key.accountId, userId: key.createdByUserId, role: nil,
            isStaff: false, scopes: Set(key.scopes))
        cache.remember(keyHash: hash, principal: principal, keyExpiresAt: key.expiresAt, now: now)
        try await touchKey(principal, now: now)
        return principal
    }

    static func checkExpiry(_ expiresAt: Date?, now: Date) throws {
        if let expiresAt, expiresAt <= now {
            throw IdentityError(.unauthorized, .apiKeyExpired, "This API key has expired.")
        }
    }

    func touchKey(_ principal: Principal, now: Date) async throws {
        if let keyId = principal.apiKeyId, touches.shouldTouch(keyId, now: now) {
            try await apiKeys.touch(id: keyId, at: now)
        }
    }

    public func logout(_ principal: Principal, meta: RequestMeta) async throws {
        guard let sessionId = principal.sessionId else {
            throw IdentityError(.badRequest, .notASession, "Only a signed-in session can sign out; revoke API keys instead.")
        }
        try await sessions.revoke(id: sessionId, accountId: principal.accountId, reason: "logout", at: clock.now())
        try await audit.record("session.logout", by: principal, entityType: "session", entityId: sessionId.lowercased, meta: meta)
    }

    /// Signs the user out on every device, including this one.
    public func logoutEverywhere(_ principal: Principal, meta: RequestMeta) async throws -> Int {
        guard let userId = principal.userId, principal.sessionId != nil else {
            throw IdentityError(.badRequest, .notASession, "Only a signed-in user can sign out everywhere.")
        }
        let count = try await sessions.revokeAll(userId: userId, reason: "logout_all", at: clock.now())
        try await audit.record(
            "session.logout_all", by: principal, entityType: "user", entityId: userId.lowercased,
            metadata: ["revoked": String(count)], meta: meta)
        return count
    }

    // MARK: Throttling

    func enforceThrottle(email: String, ip: String, now: Date, meta: RequestMeta) async throws {
        let window = configuration.throttleWindow
        let f = try await attempts.failures(email: email, ip: ip, since: now.addingTimeInterval(-window))
        var waits: [TimeInterval] = []
        if f.email >= configuration.throttleLimit, let oldest = f.emailOldest {
            waits.append(oldest.addingTimeInterval(window).timeIntervalSince(now))
        }
        if f.ip >= configuration.throttleLimit, let oldest = f.ipOldest { waits.append(oldest.addingTimeInterval(window).timeIntervalSince(now)) }
        guard let wait = waits.max() else { return }
        try await audit.record("login.failure", by: nil, status: .failure, metadata: ["reason": "throttled"], meta: meta)
        throw IdentityError(
            .tooManyRequests, .tooManyLoginAttempts, "Too many failed sign-in attempts. Try again later.",
            retryAfter: min(Int(window), max(1, Int(wait.rounded(.up)))))
    }

    func fail(
        email: String, ip: String, reason: String, accountId: UUID?, userId: UUID?, meta: RequestMeta,
        error: IdentityError = IdentityError(.unauthorized, .invalidCredentials, "Email or password is wrong.")
    ) async throws -> Never {
        try await attempts.record(email: email, ip: ip, succeeded: false, at: clock.now())
        try await audit.record(
            "login.failure", by: nil, status: .failure, accountId: accountId, userId: userId,
            entityType: userId == nil ? nil : "user", entityId: userId?.lowercased, metadata: ["reason": reason],
            meta: meta)
        throw error
    }
}

/// A bcrypt hash of a random password, made once, used to equalise unknown-email timing.
actor DecoyHash {
    let hasher: PasswordHasher
    var cached: String?
    init(hasher: PasswordHasher) { self.hasher = hasher }

    func value() async throws -> String {
        if let cached { return cached }
        let hash = try await hasher.decoyHash()
        cached = hash
        return hash
    }
}

/// Remembers when an id's "last seen" was last written so hot keys do not write on every call.
final class TouchThrottle: Sendable {
    let interval: TimeInterval
    private let last = Mutex<[UUID: Date]>([:])
    init(interval: TimeInterval) { self.interval = interval }

    func shouldTouch(_ id: UUID, now: Date) -> Bool {
        last.withLock { last in
            if let previous = last[id], now.timeIntervalSince(previous) < interval { return false }
            if last.count > 100_000 { last.removeAll(keepingCapacity: true) }
            last[id] = now
            return true
        }
    }
}
