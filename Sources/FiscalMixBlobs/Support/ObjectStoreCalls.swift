import FiscalMixCore
import Foundation

/// What the S3 and Azure stores share about their calls.
enum ObjectStoreCalls {
    /// Every call the stores make is idempotent (a whole-object PUT, GET, DELETE, a listing),
    /// so each may be retried on connection errors, 429 and 5xx.
    static let policy = Policy(
        retry: .init(maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 10_000),
        timeouts: .init(connectMs: 5_000, attemptMs: 60_000, totalMs: 180_000))

    /// A UTC date in a fixed `DateFormatter` pattern (the signing schemes' timestamps).
    static func utc(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}

/// An object store answered with an error.
public struct ObjectStoreFailure: Error, CustomStringConvertible {
    /// `S3` or `Azure Blob`.
    public let service: String
    public let operation: String
    public let status: Int
    /// The store's error code (`NoSuchBucket`, `ContainerNotFound`, `AuthenticationFailed` …).
    public let code: String?
    public var description: String { "\(service) \(operation) failed with HTTP \(status)\(code.map { " (\($0))" } ?? "")" }
}

/// A key the blob stores refuse (empty, absolute, `..`, characters outside `A–Z a–z 0–9 . _ -`).
public struct InvalidBlobKey: Error, CustomStringConvertible {
    public let key: String
    public var description: String { "invalid blob key '\(key)'" }
}
