public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `policies`: one row per (account, name, version), each part of the policy in its JSON column.
public struct PolicyRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Saves the next version of `name` (1 for a new name). The unique (account, name, version)
    /// key makes two concurrent saves of one name fail rather than share a version.
    public func insertNextVersion(_ p: StoredPolicy, in tx: Transaction) async throws -> StoredPolicy {
        let latest =
            try await tx.query(
                """
                SELECT COALESCE(MAX(version), 0) AS latest FROM policies WHERE account_id = \(bind: p.accountId) AND name = \(bind: p.name)
                """
            ).first?.decode(column: "latest", as: Int.self) ?? 0
        var stored = p
        stored.version = latest + 1
        let policy = stored.policy
        try await tx.execute(
            """
            INSERT INTO policies (id, account_id, name, version, rate_limit, retry, timeout, circuit_breaker, concurrency, created_at, updated_at)
            VALUES (\(bind: stored.id), \(bind: stored.accountId), \(bind: stored.name), \(bind: stored.version),
                    \(json: policy.rateLimit.map(jsonText)), \(json: jsonText(policy.retry)), \(json: jsonText(policy.timeouts)),
                    \(json: policy.circuitBreaker.map(jsonText)), \(json: policy.concurrency.map(jsonText)),
                    \(bind: stored.createdAt), \(bind: stored.createdAt))
            """)
        return stored
    }

    public func find(id: UUID, accountId: UUID) async throws -> StoredPolicy? {
        try await database.first("SELECT * FROM policies WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<StoredPolicy> {
        try await database.page("SELECT * FROM policies WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    public func delete(id: UUID, accountId: UUID, in tx: Transaction) async throws -> Bool {
        !(try await tx.query("DELETE FROM policies WHERE id = \(bind: id) AND account_id = \(bind: accountId) RETURNING id")).isEmpty
    }

    static func decode(_ row: any SQLRow) throws -> StoredPolicy {
        func part<T: Decodable>(_ column: String, _ type: T.Type) throws -> T? {
            try row.decodeNil(column: column) ? nil : row.jsonValue(column, as: T.self)
        }
        let policy = Policy(
            rateLimit: try part("rate_limit", Policy.RateLimit.self),
            retry: try part("retry", Policy.Retry.self) ?? Policy.Retry(),
            timeouts: try part("timeout", Policy.Timeouts.self) ?? Policy.Timeouts(),
            circuitBreaker: try part("circuit_breaker", Policy.CircuitBreaker.self),
            concurrency: try part("concurrency", Policy.Concurrency.self))
        return StoredPolicy(
            id: try row.get("id"), accountId: try row.get("account_id"), name: try row.get("name"),
            version: try row.get("version"), policy: policy, createdAt: try row.get("created_at"))
    }
}
