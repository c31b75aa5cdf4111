public import FiscalMixCore

/// What the secrets kernel refuses.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias SecretsError = SliceError<SecretsErrorCode>

public struct SecretsErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
        case linkUnavailable = "link_unavailable"
    }

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let linkUnavailable = Self(base: .linkUnavailable)
}
