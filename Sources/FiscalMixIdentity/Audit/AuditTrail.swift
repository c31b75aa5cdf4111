public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
public import Logging

/// Writes audit rows for actions taken by a principal, an anonymous caller or an operator.
public struct AuditTrail: Sendable {
    let repository: AuditRepository
    let clock: any WallClock
    let logger: Logger

    public init(repository: AuditRepository, clock: any WallClock, logger: Logger) {
        self.repository = repository
        self.clock = clock
        self.logger = logger
    }

    public func entry(
        _ action: String, by principal: Principal?, status: AuditEntry.Status = .success, accountId: UUID? = nil,
        entityType: String? = nil, entityId: String? = nil, metadata: [String: String] = [:],
        diff: [String: [String: String]]? = nil, meta: RequestMeta
    ) -> AuditEntry {
        let actorType: AuditEntry.ActorType
        switch principal?.kind {
        case .session?: actorType = .user
        case .apiKey?: actorType = .apiKey
        case nil: actorType = accountId == nil ? .anonymous : .user
        }
        return AuditEntry(
            accountId: principal?.accountId ?? accountId, actorType: actorType, userId: principal?.userId,
            apiKeyId: principal?.apiKeyId, sessionId: principal?.sessionId, action: action, status: status,
            entityType: entityType, entityId: entityId, metadata: metadata, diff: diff, ipAddress: meta.ip,
            userAgent: meta.userAgent, requestId: meta.requestId, traceId: meta.traceId, createdAt: clock.now())
    }

    /// Writes `entry` in the caller's transaction, so the audit row and the change commit together.
    public func write(_ entry: AuditEntry, in tx: Transaction) async throws {
        try await repository.insert(entry, in: tx)
    }

    public func record(
        _ action: String, by principal: Principal?, status: AuditEntry.Status = .success, accountId: UUID? = nil,
        userId: UUID? = nil, entityType: String? = nil, entityId: String? = nil, metadata: [String: String] = [:],
        diff: [String: [String: String]]? = nil, meta: RequestMeta
    ) async throws {
        var e = entry(
            action, by: principal, status: status, accountId: accountId, entityType: entityType, entityId: entityId,
            metadata: metadata, diff: diff, meta: meta)
        if principal == nil, let userId { e.userId = userId }
        try await repository.insert(e)
    }
}
