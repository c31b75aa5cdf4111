public import FiscalMixCore
public import FiscalMixDatabase
import Foundation

/// What an account reads of its own history: the audit trail and the API request log, both
/// behind the `audit:read` scope.
public struct AuditService: Sendable {
    let audit: AuditRepository
    let requests: RequestLogRepository

    public init(database: Database) {
        audit = AuditRepository(database: database)
        requests = RequestLogRepository(database: database)
    }

    public func auditLogs(_ principal: Principal, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        try principal.require(.auditRead)
        return try await audit.list(accountId: principal.accountId, filter: filter, page: page)
    }

    public func requestLogs(_ principal: Principal, page: PageRequest) async throws -> Page<RequestLogEntry> {
        try principal.require(.auditRead)
        return try await requests.list(accountId: principal.accountId, page: page)
    }
}
