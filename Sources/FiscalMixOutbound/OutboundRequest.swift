public import Foundation
public import NIOSSL

/// A call to an outside system, before policy: what to send and on whose behalf.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Makes a non-idempotent method (POST, PATCH) safe to retry; sent as `Idempotency-Key`.
    public var idempotencyKey: String?
    /// A short name for logs and request-log rows ("connector.test", "webhook.deliver" …).
    public var operation: String
    /// TLS for this call: a client certificate (mutual TLS with SEFAZ) and the roots to trust.
    /// nil uses the system trust store and no client certificate.
    public var tlsConfiguration: TLSConfiguration?
    /// What the request log records as the path; nil records host and path. Set where the path
    /// itself may be a credential (webhook URLs such as Slack's carry their secret in the path).
    public var logPath: String?

    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        idempotencyKey: String? = nil, operation: String, tlsConfiguration: TLSConfiguration? = nil
    ) {
        self.tlsConfiguration = tlsConfiguration
        self.method = method.uppercased()
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.operation = operation
    }

    /// GET, HEAD, OPTIONS, PUT and DELETE may be repeated (RFC 9110 §9.2.2); others only with an
    /// idempotency key.
    public var isRetrySafe: Bool {
        ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"].contains(method) || idempotencyKey != nil
    }
}

/// The answer, with what it took to get it.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Attempts made (1 when the first one answered).
    public var attempts: Int
    public var latency: Duration

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// Who a call is for, to scope breaker, rate-limit and concurrency state and the request log.
public struct OutboundContext: Sendable {
    public var accountId: UUID?
    public var connectorId: UUID?
    /// The key the policy state is kept under (a connector, a webhook endpoint …).
    public var policyKey: String
    /// Addresses this account may reach in spite of the SSRF guard (CIDRs or host names).
    public var allowedAddresses: [String]
    public var requestId: String

    public init(
        accountId: UUID? = nil, connectorId: UUID? = nil, policyKey: String, allowedAddresses: [String] = [],
        requestId: String = UUID().uuidString
    ) {
        self.accountId = accountId
        self.connectorId = connectorId
        self.policyKey = policyKey
        self.allowedAddresses = allowedAddresses
        self.requestId = requestId
    }
}
