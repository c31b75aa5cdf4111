public import Foundation

/// An outside API FiscalMix calls (`connectors` + `Connector`, docs/data-model.md): where it is,
/// how to authenticate, and the policy that governs calls. It never holds a secret itself —
/// `secretRefId` points at one (docs/data-model.md SecretRef).
public struct Connector: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case active, disabled }
    public enum AuthType: String, Sendable, Codable, CaseIterable {
        case none
        case bearer
        case basic
        case apiKeyHeader = "api_key_header"
        case apiKeyQuery = "api_key_query"
        case oauth2ClientCredentials = "oauth2_client_credentials"
    }

    public var id: UUID
    public var accountId: UUID
    public var type: String
    public var name: String
    public var status: Status
    public var baseURL: String
    public var authType: AuthType
    public var secretRefId: UUID?
    public var policyId: UUID?
    public var timeoutSeconds: Int
    /// Non-secret settings: the basic-auth user name, the API-key header or parameter name, the
    /// OAuth token URL, client id and scope, and free-form settings of the connector type.
    public var settings: [String: String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, type: String, name: String, status: Status, baseURL: String, authType: AuthType,
        secretRefId: UUID?, policyId: UUID?, timeoutSeconds: Int, settings: [String: String], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.type = type
        self.name = name
        self.status = status
        self.baseURL = baseURL
        self.authType = authType
        self.secretRefId = secretRefId
        self.policyId = policyId
        self.timeoutSeconds = timeoutSeconds
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where a secret lives (docs/data-model.md SecretRef): sealed in FiscalMix (`db`, `ref` is the sealed
/// secret's id), in an environment variable (`env`, `ref` is its name) or a file (`file`, a path).
public struct SecretRef: Sendable, Codable, Equatable {
    public enum Provider: String, Sendable, Codable, CaseIterable { case db, env, file }
    public var id: UUID
    public var accountId: UUID
    public var provider: Provider
    public var ref: String
    public var version: Int

    public init(id: UUID, accountId: UUID, provider: Provider, ref: String, version: Int) {
        self.id = id
        self.accountId = accountId
        self.provider = provider
        self.ref = ref
        self.version = version
    }
}
