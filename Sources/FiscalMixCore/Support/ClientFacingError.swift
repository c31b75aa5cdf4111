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
