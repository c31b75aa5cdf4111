import FiscalMixCore
import Foundation
import SQLKit

@testable import FiscalMixDatabase
@testable import FiscalMixWebhooks

/// Accounts with webhook endpoints, written straight to the tables for repository tests.
enum WebhookFixtures {
    /// A new account with one active endpoint per system name; returns their ids in that order.
    static func account(_ database: Database, endpoints systems: [String], now: Date) async throws -> (account: UUID, endpoints: [UUID]) {
        let account = ID.make()
        try await database.execute(
            """
            INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: account), \(bind: "Acme \(account)"), \(bind: now), \(bind: now))
            """)
        var endpoints: [UUID] = []
        for system in systems {
            let id = ID.make()
            try await database.execute(
                """
                INSERT INTO webhook_endpoints (id, account_id, system_name, url, created_at, updated_at)
                VALUES (\(bind: id), \(bind: account), \(bind: system), \(bind: "https://\(system).example.com/hooks"), \(bind: now), \(bind: now))
                """)
            endpoints.append(id)
        }
        return (account, endpoints)
    }
}
