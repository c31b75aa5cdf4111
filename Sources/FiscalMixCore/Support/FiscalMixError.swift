/// The one error type domain and service code throws for anything a client caused or may see.
///
/// `code` is stable and machine-readable; `message` is written for a person and never carries
/// secrets or internals. The HTTP layer maps `kind` to a status code; nothing below it knows HTTP.
public struct FiscalMixError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case badRequest, unauthorized, forbidden, notFound, conflict, gone, payloadTooLarge, unprocessable, tooManyRequests, unavailable
    }

    public let kind: Kind
    public let code: String
    public let message: String
    /// Seconds a client should wait before trying again (throttling).
    public let retryAfter: Int?
    /// Field-level details, e.g. which field failed validation. Never secret values.
    public let details: [String: String]

    public init(_ kind: Kind, code: String, _ message: String, retryAfter: Int? = nil, details: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.details = details
    }

    public var description: String { "\(kind.rawValue)[\(code)]: \(message)" }

    public static func notFound(_ what: String) -> FiscalMixError {
        .init(.notFound, code: "not_found", "\(what) not found.")
    }
    public static func validation(_ field: String, _ message: String) -> FiscalMixError {
        .init(.unprocessable, code: "validation_failed", message, details: ["field": field])
    }
    public static let unauthenticated = FiscalMixError(.unauthorized, code: "unauthenticated", "Authentication is required.")
    public static func missingScope(_ scope: Scope) -> FiscalMixError {
        .init(
            .forbidden, code: "insufficient_scope", "This action needs the '\(scope.rawValue)' permission.",
            details: ["scope": scope.rawValue])
    }
}
