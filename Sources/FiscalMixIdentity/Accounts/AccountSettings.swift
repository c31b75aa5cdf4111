import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// Per-account settings other slices keep on the account row: the internal address blocks its
/// outside calls may reach (Connectors) and its webhook retry schedule (Webhooks).
public struct AccountSettings: Sendable {
    let accounts: AccountRepository
    public init(database: Database) { accounts = AccountRepository(database: database) }

    /// The internal address blocks the account allowed its outside calls (empty for none).
    public func outboundAllow(accountId: UUID) async throws -> [String] {
        try await accounts.outboundAllow(accountId: accountId)
    }

    public func setOutboundAllow(_ rules: [String], accountId: UUID, now: Date, in tx: Transaction) async throws {
        try await accounts.setOutboundAllow(rules, accountId: accountId, now: now, in: tx)
    }

    /// The account's webhook retry schedule (nil: the built-in default).
    public func webhookRetrySchedule(accountId: UUID) async throws -> [TimeInterval]? {
        try await accounts.webhookRetrySchedule(accountId: accountId)
    }

    public func setWebhookRetrySchedule(_ schedule: [TimeInterval]?, accountId: UUID) async throws {
        try await accounts.setWebhookRetrySchedule(schedule, accountId: accountId)
    }
}
