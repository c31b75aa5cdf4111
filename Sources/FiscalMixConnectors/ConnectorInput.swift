public import FiscalMixCore
public import Foundation

/// What a caller sends to create or change a connector. Secrets arrive here and nowhere else:
/// the service seals them and keeps only a reference.
public struct ConnectorInput: Sendable, Decodable {
    public var name: String?
    public var type: String?
    public var status: Connector.Status?
    public var baseUrl: String?
    public var timeoutSeconds: Int?
    public var settings: [String: String]?
    public var auth: AuthInput?
    /// A policy of the same account (a specific version).
    public var policyId: UUID?

    /// One authentication method. The secret is `token`, `password`, `key` or `clientSecret`
    /// (by type), or `secretRef` names an environment variable or file that holds it.
    public struct AuthInput: Sendable, Decodable {
        public var type: Connector.AuthType
        public var token: String?
        public var username: String?
        public var password: String?
        public var header: String?
        public var param: String?
        public var key: String?
        public var tokenUrl: String?
        public var clientId: String?
        public var clientSecret: String?
        public var scope: String?
        public var secretRef: SecretRefInput?
    }

    public struct SecretRefInput: Sendable, Decodable {
        public var provider: SecretRef.Provider
        public var ref: String
    }
}

/// A connector as the API shows it: the authentication method and its non-secret settings, and
/// whether a secret is set — never the secret.
public struct ConnectorView: Sendable, Encodable {
    public let id: UUID
    public let name: String
    public let type: String
    public let status: Connector.Status
    public let baseUrl: String
    public let timeoutSeconds: Int
    public let policyId: UUID?
    public let settings: [String: String]
    public let auth: AuthView
    public let createdAt: Date
    public let updatedAt: Date

    public struct AuthView: Sendable, Encodable {
        public let type: Connector.AuthType
        public let hasToken: Bool
        /// Where the secret lives: `db` (sealed here), `env` or `file`.
        public let secretProvider: SecretRef.Provider?
        public let username: String?
        public let header: String?
        public let param: String?
        public let tokenUrl: String?
        public let clientId: String?
        public let scope: String?
    }

    public init(_ c: Connector, secretRef: SecretRef?) {
        id = c.id
        name = c.name
        type = c.type
        status = c.status
        baseUrl = c.baseURL
        timeoutSeconds = c.timeoutSeconds
        policyId = c.policyId
        settings = c.settings.filter { !$0.key.hasPrefix(ConnectorService.authSettingPrefix) }
        let a = { (key: String) in c.settings[ConnectorService.authSettingPrefix + key] }
        auth = AuthView(
            type: c.authType, hasToken: c.secretRefId != nil, secretProvider: secretRef?.provider, username: a("username"),
            header: a("header"), param: a("param"), tokenUrl: a("tokenUrl"), clientId: a("clientId"), scope: a("scope"))
        createdAt = c.createdAt
        updatedAt = c.updatedAt
    }
}

/// A test call: a path relative to the connector's base URL.
public struct ConnectorTestInput: Sendable, Decodable {
    public var path: String?
    public var method: String?

    public init(path: String? = nil, method: String? = nil) {
        self.path = path
        self.method = method
    }
}

/// What a test call found: the answer's status, the time it took, the attempts, and the state
/// of the connector's circuit breaker afterwards.
public struct ConnectorTestResult: Sendable, Encodable {
    public var ok: Bool
    public var httpStatus: Int?
    public var latencyMs: Int
    public var attempts: Int
    public var retries: Int
    public var breaker: String
    public var error: Failure?

    public struct Failure: Sendable, Encodable {
        public var code: String
        public var message: String
    }
}
