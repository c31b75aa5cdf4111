public import FiscalMixDatabase
public import Foundation

/// Housekeeping of the certificates table, run by the daily `certificates.expire` job.
public struct CertificateMaintenance: Sendable {
    let certificates: CertificateRepository
    public init(database: Database) { certificates = CertificateRepository(database: database) }

    /// Active certificates past their end become `expired`, so lists and the sync stop offering
    /// them. Returns how many changed.
    @discardableResult
    public func expireLapsed(now: Date) async throws -> Int {
        try await certificates.markExpired(now: now)
    }
}
