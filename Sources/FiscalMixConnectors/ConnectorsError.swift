public import FiscalMixCore

/// What the connectors slice refuses: connectors, policies, secret references, outbound settings.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public struct ConnectorsError: ClientFacingError {
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        enum Base: String, Sendable, CaseIterable {
            case addressNotGrantable = "address_not_grantable"
            case connectorExists = "connector_exists"
            case outboundUnavailable = "outbound_unavailable"
            case policyVersionConflict = "policy_version_conflict"
            case secretRefNotAllowed = "secret_ref_not_allowed"
            case secretRefUnavailable = "secret_ref_unavailable"
        }

        let base: Base

        public static let addressNotGrantable = Code(base: .addressNotGrantable)
        public static let connectorExists = Code(base: .connectorExists)
        public static let outboundUnavailable = Code(base: .outboundUnavailable)
        public static let policyVersionConflict = Code(base: .policyVersionConflict)
        public static let secretRefNotAllowed = Code(base: .secretRefNotAllowed)
        public static let secretRefUnavailable = Code(base: .secretRefUnavailable)

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
