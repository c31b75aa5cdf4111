public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// Reads an account's resilience policy for the slices that apply one to their own outside
/// calls (webhook deliveries); writing policies stays with `PolicyService`.
public struct PolicyLookup: Sendable {
    let policies: PolicyRepository
    public init(database: Database) { policies = PolicyRepository(database: database) }

    /// The policy with `id` of `accountId`; nil for another account's id.
    public func find(id: UUID, accountId: UUID) async throws -> StoredPolicy? {
        try await policies.find(id: id, accountId: accountId)
    }
}
