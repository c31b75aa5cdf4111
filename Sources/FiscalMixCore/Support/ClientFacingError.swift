/// An error a client caused or may see. Every slice has one such type with named codes; the HTTP
/// edge alone turns it into problem+json (`kind` → status, `publicCode` → `code`).
///
/// `publicCode` is stable and machine-readable; `message` is written for a person and never
/// carries secrets or internals.
public protocol ClientFacingError: Error, Sendable, CustomStringConvertible {
    var kind: FiscalMixError.Kind { get }
    var publicCode: String { get }
    var message: String { get }
    /// Seconds a client should wait before trying again (throttling).
    var retryAfter: Int? { get }
    /// Field-level details, e.g. which field failed validation. Never secret values.
    var details: [String: String] { get }
}

extension ClientFacingError {
    public var description: String { "\(kind.rawValue)[\(publicCode)]: \(message)" }
}

/// A slice's set of public error codes: a struct wrapping an enum (as `PSQLError.Code` does), so
/// codes can be added without breaking a client's `switch`.
public protocol PublicErrorCode: Hashable, Sendable, CustomStringConvertible, CaseIterable where AllCases == [Self] {
    associatedtype Base: RawRepresentable, CaseIterable, Sendable, Hashable where Base.RawValue == String
    var base: Base { get }
    init(base: Base)
}

extension PublicErrorCode {
    public static var allCases: [Self] { Base.allCases.map(Self.init(base:)) }
    public var description: String { base.rawValue }
}

/// A slice's refusal: one of its named codes and what the client is told. Each slice names its
/// own (`typealias IdentityError = SliceError<IdentityErrorCode>`).
public struct SliceError<Code: PublicErrorCode>: ClientFacingError {
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
