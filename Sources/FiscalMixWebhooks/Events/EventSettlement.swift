public import FiscalMixDatabase
public import Foundation

/// Settles events whose last two deliveries ended at the same instant (each saw the other
/// pending), a minute later at most: run by the `events.settle` job.
public struct EventSettlement: Sendable {
    let events: IntegrationEventRepository
    public init(database: Database) { events = IntegrationEventRepository(database: database) }

    @discardableResult
    public func settleStale(now: Date) async throws -> Int {
        try await events.settleStale(now: now)
    }
}
