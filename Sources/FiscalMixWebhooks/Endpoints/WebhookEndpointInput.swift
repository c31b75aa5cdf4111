public import FiscalMixCore
import FiscalMixOutbound
public import Foundation

/// What a caller sends to create or change an endpoint. There is no secret field: FiscalMix
/// makes the secret and shows it once.
public struct WebhookEndpointInput: Sendable, Decodable {
    public var url: String?
    public var systemName: String?
    public var description: String?
    public var status: WebhookEndpoint.Status?
    public var eventTypes: [String]?
    public var headers: [String: String]?
    public var signingScheme: WebhookEndpoint.SigningScheme?
    public var policyId: UUID?
    /// Seconds before each retry (after the first attempt); `[]` means no retries.
    public var retrySchedule: [TimeInterval]?
    public var rateLimitPerSecond: Int?
}

public struct RotateSecretInput: Sendable, Decodable {
    /// How long the previous secret keeps signing beside the new one (1 hour to 7 days; 24 h).
    public var overlapSeconds: Int?
    public init(overlapSeconds: Int? = nil) { self.overlapSeconds = overlapSeconds }
}

public struct WebhookSettingsInput: Sendable, Decodable {
    /// The account's retry schedule for endpoints without their own; null restores the default.
    public var retrySchedule: [TimeInterval]?
}

public struct WebhookSettingsView: Sendable, Encodable {
    public let retrySchedule: [TimeInterval]
    public let isDefault: Bool
}

/// An endpoint as the API shows it: never its secret. Header values whose names look like
/// credentials are masked.
public struct WebhookEndpointView: Sendable, Encodable {
    public let id: UUID
    public let url: String
    public let systemName: String
    public let description: String?
    public let status: WebhookEndpoint.Status
    public let eventTypes: [String]
    public let headers: [String: String]
    public let signingScheme: WebhookEndpoint.SigningScheme
    /// `whpk_…` for `v1a` endpoints: what receivers verify with.
    public let publicKey: String?
    public let hasSecret: Bool
    /// Until when the previous secret still signs, after a rotation.
    public let previousSecretExpiresAt: Date?
    public let policyId: UUID?
    public let retrySchedule: [TimeInterval]?
    public let rateLimitPerSecond: Int?
    public let failingSince: Date?
    public let disabledReason: String?
    /// The endpoint's circuit breaker (`closed`, `open`, `half_open`) as this server process
    /// holds it; each process keeps its own (docs/webhooks.md).
    public let breaker: String
    public let createdAt: Date
    public let updatedAt: Date

    init(_ e: WebhookEndpoint, now: Date, breaker: CircuitBreakers.State) {
        id = e.id
        url = e.url
        systemName = e.systemName
        description = e.description
        status = e.status
        eventTypes = e.eventTypes
        headers = e.headers.reduce(into: [:]) { $0[$1.key] = WebhookHeaders.isSensitive($1.key) ? "[redacted]" : $1.value }
        signingScheme = e.signingScheme
        publicKey = e.publicKey
        hasSecret = e.secretRefId != nil
        previousSecretExpiresAt = e.previousSecretRefId != nil ? e.previousSecretExpiresAt.flatMap { $0 > now ? $0 : nil } : nil
        policyId = e.policyId
        retrySchedule = e.retrySchedule
        rateLimitPerSecond = e.rateLimitPerSecond
        failingSince = e.failingSince
        disabledReason = e.disabledReason
        self.breaker = breaker.rawValue
        createdAt = e.createdAt
        updatedAt = e.updatedAt
    }
}

/// The answer to a create or a rotation: the endpoint and, this once, its new `whsec_` secret
/// (`v1`; a `v1a` endpoint's private key never leaves FiscalMix — receivers use `publicKey`).
public struct WebhookEndpointSecretView: Sendable, Encodable {
    public let endpoint: WebhookEndpointView
    public let secret: String?
}

/// Rules for the custom headers of an endpoint.
enum WebhookHeaders {
    /// Set by FiscalMix on every delivery; an endpoint cannot override them.
    static let reserved: Set<String> = [
        "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length", "host", "transfer-encoding",
        "connection", "user-agent", "idempotency-key", "te", "upgrade", "expect",
    ]

    static func isSensitive(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["authorization", "token", "secret", "key", "cookie", "signature", "password", "auth"].contains { lower.contains($0) }
    }

    static func validate(_ headers: [String: String]) throws {
        guard headers.count <= 20 else { throw FiscalMixError.validation("headers", "At most 20 custom headers.") }
        for (name, value) in headers {
            guard (1...100).contains(name.count),
                name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_".unicodeScalars.contains($0)) })
            else { throw FiscalMixError.validation("headers", "'\(name.prefix(100))' is not an HTTP header name.") }
            guard !reserved.contains(name.lowercased()) else {
                throw FiscalMixError.validation("headers", "'\(name)' is set by FiscalMix and cannot be overridden.")
            }
            guard value.count <= 2048, value.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value != 127 && $0.isASCII }) else {
                throw FiscalMixError.validation("headers", "Header values are printable ASCII, at most 2,048 characters.")
            }
        }
    }
}
