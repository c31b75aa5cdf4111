public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
public import Foundation

/// What a caller sends to save a policy: a name and the parts it sets (missing parts take
/// their defaults: no rate limit, breaker or concurrency cap; default retries and timeouts).
public struct PolicyInput: Sendable, Decodable {
    public var name: String?
    public var rateLimit: Policy.RateLimit?
    public var retry: Policy.Retry?
    public var timeouts: Policy.Timeouts?
    public var circuitBreaker: Policy.CircuitBreaker?
    public var concurrency: Policy.Concurrency?
}

public struct PolicyView: Sendable, Encodable {
    public let id: UUID
    public let name: String
    public let version: Int
    public let rateLimit: Policy.RateLimit?
    public let retry: Policy.Retry
    public let timeouts: Policy.Timeouts
    public let circuitBreaker: Policy.CircuitBreaker?
    public let concurrency: Policy.Concurrency?
    public let createdAt: Date

    init(_ p: StoredPolicy) {
        id = p.id
        name = p.name
        version = p.version
        rateLimit = p.policy.rateLimit
        retry = p.policy.retry
        timeouts = p.policy.timeouts
        circuitBreaker = p.policy.circuitBreaker
        concurrency = p.policy.concurrency
        createdAt = p.createdAt
    }
}

/// Policies (`policies`, docs/data-model.md): saved by name, each save a new version; read and deleted by id.
public struct PolicyService: Sendable {
    let database: Database
    let policies: PolicyRepository
    let audit: AuditTrail
    let clock: any WallClock

    public init(database: Database, audit: AuditTrail, clock: any WallClock) {
        self.database = database
        policies = PolicyRepository(database: database)
        self.audit = audit
        self.clock = clock
    }

    public func save(_ principal: Principal, _ input: PolicyInput, meta: RequestMeta) async throws -> PolicyView {
        try principal.require(.connectorsWrite)
        guard let name = input.name?.trimmingWhitespace(), (1...255).contains(name.count) else {
            throw FiscalMixError.validation("name", "A policy has a name of 1 to 255 characters.")
        }
        let policy = Policy(
            rateLimit: input.rateLimit, retry: input.retry ?? Policy.Retry(), timeouts: input.timeouts ?? Policy.Timeouts(),
            circuitBreaker: input.circuitBreaker, concurrency: input.concurrency)
        try policy.validate()
        let now = clock.now()
        let draft = StoredPolicy(id: ID.make(now: now), accountId: principal.accountId, name: name, version: 0, policy: policy, createdAt: now)
        do {
            let stored = try await database.transaction { [policies, audit] tx in
                let stored = try await policies.insertNextVersion(draft, in: tx)
                try await audit.write(
                    audit.entry(
                        "policy.saved", by: principal, entityType: "policy", entityId: stored.id.lowercased,
                        metadata: ["name": stored.name, "version": String(stored.version)], meta: meta), in: tx)
                return stored
            }
            return PolicyView(stored)
        } catch  where database.isUniqueViolation(error) {
            throw ConnectorsError(.conflict, .policyVersionConflict, "Another version of '\(name)' was saved at the same time; save again.")
        }
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<PolicyView> {
        try principal.require(.connectorsRead)
        let found = try await policies.list(accountId: principal.accountId, page: page)
        return Page(items: found.items.map(PolicyView.init), nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> PolicyView {
        try principal.require(.connectorsRead)
        return PolicyView(try await find(id, accountId: principal.accountId))
    }

    /// Connectors that used it go back to the default policy.
    public func delete(_ principal: Principal, id: UUID, meta: RequestMeta) async throws {
        try principal.require(.connectorsWrite)
        let policy = try await find(id, accountId: principal.accountId)
        try await database.transaction { [policies, audit] tx in
            guard try await policies.delete(id: policy.id, accountId: policy.accountId, in: tx) else { return }
            try await audit.write(
                audit.entry(
                    "policy.deleted", by: principal, entityType: "policy", entityId: policy.id.lowercased,
                    metadata: ["name": policy.name, "version": String(policy.version)], meta: meta), in: tx)
        }
    }

    func find(_ id: UUID, accountId: UUID) async throws -> StoredPolicy {
        guard let p = try await policies.find(id: id, accountId: accountId) else { throw FiscalMixError.notFound("Policy") }
        return p
    }
}
