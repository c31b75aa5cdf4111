public import FiscalMixCore

/// What the jobs slice refuses.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias JobsError = SliceError<JobsErrorCode>

public struct JobsErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
        case jobNotQueued = "job_not_queued"
    }

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let jobNotQueued = Self(base: .jobNotQueued)
}
