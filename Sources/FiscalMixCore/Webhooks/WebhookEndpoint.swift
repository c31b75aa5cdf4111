public import Foundation

/// Where an account's integration events are delivered (docs/data-model.md `webhook_endpoints`): a URL,
/// the event types it wants, its signing scheme and the retry schedule its deliveries follow.
/// The signing secret is sealed elsewhere (`secretRefId`); the endpoint only points at it.
public struct WebhookEndpoint: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case active, paused, disabled }
    /// `v1`: HMAC-SHA256 with a `whsec_` secret; `v1a`: Ed25519, receivers hold the `whpk_` key.
    public enum SigningScheme: String, Sendable, Codable, CaseIterable { case v1, v1a }

    public var id: UUID
    public var accountId: UUID
    public var systemName: String
    public var url: String
    public var description: String?
    public var status: Status
    /// Event types delivered here; empty means every type. `prefix.*` matches a family.
    public var eventTypes: [String]
    /// Extra request headers (never the `webhook-*` ones). As stored, the names only (values
    /// empty): the values are sealed behind `headersSecretRefId`.
    public var headers: [String: String]
    /// The sealed JSON object of the custom headers' values.
    public var headersSecretRefId: UUID?
    public var signingScheme: SigningScheme
    /// The sealed secret (a `whsec_` secret or a `whsk_` signing key).
    public var secretRefId: UUID?
    /// After a rotation the previous secret still signs until `previousSecretExpiresAt`.
    public var previousSecretRefId: UUID?
    public var previousSecretExpiresAt: Date?
    /// The `whpk_` public key of a `v1a` endpoint (not a secret).
    public var publicKey: String?
    public var policyId: UUID?
    /// Delays before each retry; nil takes the account's, then the built-in default.
    public var retrySchedule: [TimeInterval]?
    public var rateLimitPerSecond: Int?
    /// Set at the first failure after a success; an endpoint failing for five days is disabled.
    public var failingSince: Date?
    public var disabledReason: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, systemName: String, url: String, description: String? = nil, status: Status = .active,
        eventTypes: [String] = [], headers: [String: String] = [:], signingScheme: SigningScheme = .v1, secretRefId: UUID? = nil,
        previousSecretRefId: UUID? = nil, previousSecretExpiresAt: Date? = nil, publicKey: String? = nil, policyId: UUID? = nil,
        retrySchedule: [TimeInterval]? = nil, rateLimitPerSecond: Int? = nil, failingSince: Date? = nil, disabledReason: String? = nil,
        headersSecretRefId: UUID? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.headersSecretRefId = headersSecretRefId
        self.id = id
        self.accountId = accountId
        self.systemName = systemName
        self.url = url
        self.description = description
        self.status = status
        self.eventTypes = eventTypes
        self.headers = headers
        self.signingScheme = signingScheme
        self.secretRefId = secretRefId
        self.previousSecretRefId = previousSecretRefId
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.publicKey = publicKey
        self.policyId = policyId
        self.retrySchedule = retrySchedule
        self.rateLimitPerSecond = rateLimitPerSecond
        self.failingSince = failingSince
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether an event of `type` goes to this endpoint.
    /// The key of this endpoint's rate-limit bucket, concurrency gate and circuit breaker in
    /// the outbound client.
    public var policyKey: String { "webhook:" + id.lowercased }

    public func wants(_ type: String) -> Bool {
        EventTypeFilter.matches(eventTypes, type)
    }
}

/// The event-type filter of an endpoint: exact names, `family.*` prefixes, or nothing (all).
public enum EventTypeFilter {
    public static func matches(_ filter: [String], _ type: String) -> Bool {
        filter.isEmpty
            || filter.contains { pattern in
                if pattern == "*" { return true }
                if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast()) }
                return pattern == type
            }
    }
}
