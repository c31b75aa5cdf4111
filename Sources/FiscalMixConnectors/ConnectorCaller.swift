public import FiscalMixCore
public import FiscalMixOutbound
public import FiscalMixVault
import Foundation

/// Calls a connector's API through the outbound client with the connector's authentication:
/// bearer, basic, an API key in a header or the query, or an OAuth 2.0 client-credentials token
/// (fetched, cached until shortly before it expires, fetched again once on a 401). Tokens are
/// kept sealed in `connector_tokens` (shared by every process, kept across restarts) with this
/// process's memory in front.
public struct ConnectorCaller: Sendable {
    public let client: OutboundClient
    let tokens = OAuthTokenCache()
    let vault: SecretVault?

    public init(client: OutboundClient, vault: SecretVault? = nil) {
        self.client = client
        self.vault = vault
    }

    public struct Call: Sendable {
        public var method: String
        public var path: String
        public var body: [UInt8]?
        public var headers: [(String, String)]
        public var idempotencyKey: String?
        public var operation: String

        public init(
            method: String = "GET", path: String = "", body: [UInt8]? = nil, headers: [(String, String)] = [],
            idempotencyKey: String? = nil, operation: String
        ) {
            self.method = method
            self.path = path
            self.body = body
            self.headers = headers
            self.idempotencyKey = idempotencyKey
            self.operation = operation
        }
    }

    public static func policyKey(_ connector: Connector) -> String { "connector:\(connector.id.lowercased)" }

    public func call(_ connector: Connector, secret: String?, policy: Policy, _ call: Call, requestId: String) async throws -> OutboundResponse {
        let context = OutboundContext(
            accountId: connector.accountId, connectorId: connector.id, policyKey: Self.policyKey(connector),
            requestId: requestId)
        var url = Self.join(connector.baseURL, call.path)
        var headers = call.headers
        let setting = { (key: String) in connector.settings[ConnectorService.authSettingPrefix + key] }
        switch connector.authType {
        case .none: break
        case .bearer: headers.append(("Authorization", "Bearer \(secret ?? "")"))
        case .basic: headers.append(("Authorization", "Basic " + Data("\(setting("username") ?? ""):\(secret ?? "")".utf8).base64EncodedString()))
        case .apiKeyHeader: headers.append((setting("header") ?? "X-API-Key", secret ?? ""))
        case .apiKeyQuery:
            if var components = URLComponents(string: url) {
                components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: setting("param") ?? "api_key", value: secret ?? "")]
                url = components.string ?? url
            }
        case .oauth2ClientCredentials:
            let token = try await oauthToken(connector, secret: secret, context: context, forceNew: false)
            let first = try await client.execute(
                request(call, url: url, headers: headers + [("Authorization", "Bearer \(token)")]),
                policy: policy, context: context)
            guard first.status == 401 else { return first }
            // the token was revoked or expired early: one new token, one more try
            let fresh = try await oauthToken(connector, secret: secret, context: context, forceNew: true)
            return try await client.execute(
                request(call, url: url, headers: headers + [("Authorization", "Bearer \(fresh)")]),
                policy: policy, context: context)
        }
        return try await client.execute(request(call, url: url, headers: headers), policy: policy, context: context)
    }

    private func request(_ call: Call, url: String, headers: [(String, String)]) -> OutboundRequest {
        OutboundRequest(
            method: call.method, url: url, headers: headers, body: call.body, idempotencyKey: call.idempotencyKey,
            operation: call.operation)
    }

    static func join(_ base: String, _ path: String) -> String {
        guard !path.isEmpty else { return base }
        if base.hasSuffix("/"), path.hasPrefix("/") { return base + path.dropFirst() }
        if !base.hasSuffix("/"), !path.hasPrefix("/"), !path.hasPrefix("?") { return base + "/" + path }
        return base + path
    }

    private func oauthToken(_ connector: Connector, secret: String?, context: OutboundContext, forceNew: Bool) async throws -> String {
        let key = "\(connector.id.lowercased):\(connector.secretRefId?.lowercased ?? "")"
        if !forceNew, let cached = await tokens.token(key) { return cached }
        if !forceNew, let vault,
            let stored = try await vault.connectorToken(connectorId: connector.id, secretRefId: connector.secretRefId, accountId: connector.accountId)
        {
            await tokens.store(key, stored.token, expiresIn: stored.expiresAt.map { $0.timeIntervalSinceNow } ?? 3600)
            return stored.token
        }
        let setting = { (key: String) in connector.settings[ConnectorService.authSettingPrefix + key] }
        guard let tokenURL = setting("tokenUrl"), let clientId = setting("clientId") else {
            throw OutboundError(.invalidURL, "The connector's OAuth settings are incomplete.")
        }
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "grant_type", value: "client_credentials")]
        if let scope = setting("scope") { form.queryItems?.append(URLQueryItem(name: "scope", value: scope)) }
        let credentials = Data("\(Self.formEncode(clientId)):\(Self.formEncode(secret ?? ""))".utf8).base64EncodedString()
        let request = OutboundRequest(
            method: "POST", url: tokenURL,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(credentials)"), ("Accept", "application/json"),
            ],
            body: Array((form.percentEncodedQuery ?? "").utf8), operation: "oauth.token")
        var tokenContext = context
        tokenContext.policyKey = context.policyKey + ":token"
        let response = try await client.execute(
            request, policy: Policy(retry: .init(maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 1000)),
            context: tokenContext)
        struct TokenAnswer: Decodable {
            var access_token: String
            var expires_in: Double?
        }
        guard (200..<300).contains(response.status),
            let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(response.body)), !answer.access_token.isEmpty
        else {
            throw OutboundError(.connectionFailed, "The token endpoint answered \(response.status) without an access token.")
        }
        let lifetime = answer.expires_in ?? 3600
        await tokens.store(key, answer.access_token, expiresIn: lifetime)
        try await vault?.storeConnectorToken(
            answer.access_token, connectorId: connector.id, secretRefId: connector.secretRefId,
            accountId: connector.accountId, expiresAt: Date().addingTimeInterval(lifetime))
        return answer.access_token
    }

    /// `application/x-www-form-urlencoded` for the client id and secret in Basic auth (RFC 6749 §2.3.1).
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "%20", with: "+")
    }
}

/// Access tokens by connector, kept until 30 seconds before they expire.
actor OAuthTokenCache {
    private var entries: [String: (token: String, expires: ContinuousClock.Instant)] = [:]

    func token(_ key: String) -> String? {
        guard let entry = entries[key], ContinuousClock.now < entry.expires else { return nil }
        return entry.token
    }

    func store(_ key: String, _ token: String, expiresIn seconds: Double) {
        let lifetime = max(0, seconds - 30)
        entries[key] = (token, ContinuousClock.now + .milliseconds(Int(lifetime * 1000)))
    }
}
