public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// Staff operators acting across accounts. Every change writes an operator audit row with the
/// diff, the stated reason, IP, user agent and trace id (docs/data-model.md OperatorAuditLog).
public struct OperatorService: Sendable {
    let database: Database
    let accounts: AccountRepository
    let audit: AuditTrail
    let clock: any WallClock
    let cache: CredentialCache

    public init(database: Database, auth: AuthService) {
        self.database = database
        cache = auth.cache
        accounts = AccountRepository(database: database)
        audit = auth.audit
        clock = auth.clock
    }

    func requireStaff(_ principal: Principal) throws {
        guard principal.isStaff, principal.sessionId != nil else {
            throw IdentityError(.forbidden, .staffOnly, "This action is for FiscalMix staff operators.")
        }
    }

    public func listAccounts(_ principal: Principal, page: PageRequest) async throws -> Page<Account> {
        try requireStaff(principal)
        return try await accounts.list(page: page)
    }

    public func setAccountStatus(
        _ principal: Principal, accountId: UUID, status: Account.Status, reason rawReason: String,
        meta: RequestMeta
    ) async throws -> Account {
        try requireStaff(principal)
        let reason = rawReason.trimmingWhitespace()
        guard (5...2000).contains(reason.count) else {
            throw FiscalMixError.validation("reason", "Operators must state a reason (5 to 2000 characters).")
        }
        guard let account = try await accounts.find(id: accountId) else { throw FiscalMixError.notFound("Account") }
        guard account.id != principal.accountId || status == .active else {
            throw IdentityError(.conflict, .ownAccount, "Operators cannot suspend their own account.")
        }
        if account.status == status { return account }
        let now = clock.now()
        let entry = AuditEntry(
            accountId: accountId, actorType: .operator, userId: principal.userId, sessionId: principal.sessionId,
            action: "account.status_changed", entityType: "account", entityId: accountId.lowercased,
            diff: ["status": ["from": account.status.rawValue, "to": status.rawValue]], reason: reason,
            ipAddress: meta.ip, userAgent: meta.userAgent, requestId: meta.requestId, traceId: meta.traceId,
            createdAt: now)
        try await database.transaction { [accounts, audit] tx in
            try await accounts.updateStatus(id: accountId, status: status, at: now, in: tx)
            try await audit.repository.insert(entry, in: tx)
        }
        cache.forgetAccount(accountId)
        guard let updated = try await accounts.find(id: accountId) else { throw FiscalMixError.notFound("Account") }
        return updated
    }

    public func operatorLog(_ principal: Principal, page: PageRequest) async throws -> Page<AuditEntry> {
        try requireStaff(principal)
        return try await audit.repository.listOperatorActions(page: page)
    }
}
