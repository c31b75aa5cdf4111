public import Foundation

/// Tunables of sign-in and sessions, with defaults a production deployment can keep.
public struct IdentityConfiguration: Sendable {
    /// A session idle for this long ends (sliding expiry).
    public var sessionIdleTimeout: TimeInterval = 8 * 3600
    /// A session ends this long after sign-in, however active (absolute expiry).
    public var sessionAbsoluteTimeout: TimeInterval = 7 * 24 * 3600
    /// Time allowed between the password step and the MFA code step.
    public var mfaPendingTimeout: TimeInterval = 5 * 60
    public var inviteLifetime: TimeInterval = 7 * 24 * 3600
    /// Failed logins per email or per IP within `throttleWindow` before 429.
    public var throttleLimit = 5
    public var throttleWindow: TimeInterval = 15 * 60
    public var bcryptCost = 12
    public var recoveryCodeCount = 10
    /// `last_used_at` of an API key and a session's `last_seen_at` are written at most this often.
    public var touchInterval: TimeInterval = 60
    /// How long a resolved API key or account may be served from memory (0 disables the cache).
    public var credentialCacheTTL: TimeInterval = 2

    public init() {}
}

/// Facts about the HTTP request an action came from, for audit rows.
public struct RequestMeta: Sendable {
    public var ip: String?
    public var userAgent: String?
    public var requestId: String?
    public var traceId: String?

    public init(ip: String? = nil, userAgent: String? = nil, requestId: String? = nil, traceId: String? = nil) {
        self.ip = ip
        self.userAgent = userAgent
        self.requestId = requestId
        self.traceId = traceId
    }
}
