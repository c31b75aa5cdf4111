public import FiscalMixCore

/// What the jobs slice refuses.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public struct JobsError: ClientFacingError {
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        enum Base: String, Sendable, CaseIterable {
            case jobNotQueued = "job_not_queued"
        }

        let base: Base

        public static let jobNotQueued = Code(base: .jobNotQueued)

        public static var allCases: [Code] { Base.allCases.map { Code(base: $0) } }
        public var description: String { base.rawValue }
    }

    public let kind: FiscalMixError.Kind
    public let code: Code
    public let message: String
    public let retryAfter: Int?
    public let details: [String: String]

    public init(_ kind: FiscalMixError.Kind, _ code: Code, _ message: String, retryAfter: Int? = nil, details: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.details = details
    }

    public var publicCode: String { code.description }
}
