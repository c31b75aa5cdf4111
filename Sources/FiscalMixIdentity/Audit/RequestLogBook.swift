import FiscalMixCore
public import FiscalMixDatabase
import Foundation

/// Where the HTTP edges and the outbound client write the request log (`request_logs`), in
/// batches.
public struct RequestLogBook: Sendable {
    let requests: RequestLogRepository
    public init(database: Database) { requests = RequestLogRepository(database: database) }

    /// Writes the batch whole; a request id repeated for an account keeps its first row.
    public func record(_ entries: [RequestLogEntry]) async throws {
        try await requests.insert(entries)
    }
}
