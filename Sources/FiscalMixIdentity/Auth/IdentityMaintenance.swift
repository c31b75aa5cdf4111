public import FiscalMixDatabase
public import FiscalMixVault
public import Foundation

/// Housekeeping of the identity tables, run by the hourly maintenance job.
public struct IdentityMaintenance: Sendable {
    let attempts: LoginAttemptRepository
    public init(database: Database) { attempts = LoginAttemptRepository(database: database) }

    /// Forgets login attempts older than a day (the throttle looks back 15 minutes).
    public func prune(now: Date) async throws {
        try await attempts.prune(before: now.addingTimeInterval(-86_400))
    }
}

extension MFASecrets: SealedOutsideVault {}
