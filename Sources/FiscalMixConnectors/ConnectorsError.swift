public import FiscalMixCore

/// What the connectors slice refuses: connectors, policies, secret references, outbound settings.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias ConnectorsError = SliceError<ConnectorsErrorCode>

public struct ConnectorsErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
        case addressNotGrantable = "address_not_grantable"
        case connectorExists = "connector_exists"
        case outboundUnavailable = "outbound_unavailable"
        case policyVersionConflict = "policy_version_conflict"
        case secretRefNotAllowed = "secret_ref_not_allowed"
        case secretRefUnavailable = "secret_ref_unavailable"
    }

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let addressNotGrantable = Self(base: .addressNotGrantable)
    public static let connectorExists = Self(base: .connectorExists)
    public static let outboundUnavailable = Self(base: .outboundUnavailable)
    public static let policyVersionConflict = Self(base: .policyVersionConflict)
    public static let secretRefNotAllowed = Self(base: .secretRefNotAllowed)
    public static let secretRefUnavailable = Self(base: .secretRefUnavailable)
}
