public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

public struct AccountRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ account: Account, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO accounts (id, name, plan, env, status, time_zone, created_at, updated_at)
            VALUES (\(bind: account.id), \(bind: account.name), \(bind: account.plan.rawValue), \(bind: account.env),
                    \(bind: account.status.rawValue), \(bind: account.timeZone), \(bind: account.createdAt), \(bind: account.updatedAt))
            """)
    }

    public func find(id: UUID) async throws -> Account? {
        try await database.first("SELECT * FROM accounts WHERE id = \(bind: id)").map(Self.decode)
    }

    public func list(page: PageRequest) async throws -> Page<Account> {
        try await database.page("SELECT * FROM accounts WHERE 1 = 1", page, decode: Self.decode, id: \.id)
    }

    public func updateStatus(id: UUID, status: Account.Status, at now: Date, in tx: Transaction) async throws {
        try await tx.execute("UPDATE accounts SET status = \(bind: status.rawValue), updated_at = \(bind: now) WHERE id = \(bind: id)")
    }

    /// The internal address blocks the account allowed its outside calls (empty for none).
    public func outboundAllow(accountId: UUID) async throws -> [String] {
        guard let row = try await database.first("SELECT outbound_allow FROM accounts WHERE id = \(bind: accountId)"),
            let text = try row.get("outbound_allow", as: String?.self)
        else { return [] }
        return try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    public func setOutboundAllow(_ rules: [String], accountId: UUID, now: Date, in tx: Transaction) async throws {
        try await tx.execute(
            """
            UPDATE accounts SET outbound_allow = \(json: rules.isEmpty ? nil : jsonText(rules)), updated_at = \(bind: now)
            WHERE id = \(bind: accountId)
            """)
    }

    /// The account's retry schedule (nil: the built-in default).
    public func webhookRetrySchedule(accountId: UUID) async throws -> [TimeInterval]? {
        let text: String? = try await database.first("SELECT webhook_retry_schedule FROM accounts WHERE id = \(bind: accountId)")?
            .get("webhook_retry_schedule")
        return try text.map { try JSONDecoder().decode([TimeInterval].self, from: Data($0.utf8)) }
    }

    public func setWebhookRetrySchedule(_ schedule: [TimeInterval]?, accountId: UUID) async throws {
        try await database.execute(
            """
            UPDATE accounts SET webhook_retry_schedule = \(json: schedule.map(jsonText)) WHERE id = \(bind: accountId)
            """)
    }

    static func decode(_ row: any SQLRow) throws -> Account {
        Account(
            id: try row.get("id"), name: try row.get("name"), plan: try row.enumValue("plan"), env: try row.get("env"),
            status: try row.enumValue("status"), timeZone: try row.get("time_zone"),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
