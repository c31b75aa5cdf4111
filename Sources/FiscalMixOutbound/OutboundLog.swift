public import Foundation

/// One finished outside call, for the request log (`request_logs`, direction outbound; docs/data-model.md).
/// The path is kept without its query string, which may carry an API key.
public struct OutboundLogEntry: Sendable {
    public var accountId: UUID?
    public var connectorId: UUID?
    public var requestId: String
    public var method: String
    public var path: String
    public var operation: String
    /// ok, client_error, server_error or failed (no answer).
    public var status: String
    public var httpStatus: Int?
    public var latencyMs: Int
    public var retryCount: Int
    public var idempotencyKey: String?
}

public protocol OutboundLogSink: Sendable {
    func record(_ entry: OutboundLogEntry)
}

/// Drops entries (a client without a request log).
public struct DiscardingOutboundLog: OutboundLogSink {
    public init() {}
    public func record(_ entry: OutboundLogEntry) {}
}
