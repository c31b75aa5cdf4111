public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixSecrets
public import Foundation

public struct ApiKeyService: Sendable {
    let keys: ApiKeyRepository
    let audit: AuditTrail
    let clock: any WallClock
    let cache: CredentialCache

    public init(database: Database, auth: AuthService) {
        keys = auth.apiKeys
        audit = auth.audit
        clock = auth.clock
        cache = auth.cache
    }

    /// Creates a key; the returned secret is shown once and never stored.
    public func create(
        _ principal: Principal, name rawName: String, scopes: [String], expiresAt: Date?,
        meta: RequestMeta
    ) async throws -> (key: ApiKey, secret: String) {
        try principal.require(.admin)
        let name = rawName.trimmingWhitespace()
        guard (1...255).contains(name.count) else { throw FiscalMixError.validation("name", "Name must have 1 to 255 characters.") }
        guard !scopes.isEmpty else { throw FiscalMixError.validation("scopes", "Give the key at least one scope.") }
        var parsed: [Scope] = []
        for raw in scopes {
            guard let scope = Scope(rawValue: raw) else {
                throw IdentityError(
                    .unprocessable, .unknownScope, "Unknown scope '\(raw)'.",
                    details: ["field": "scopes", "allowed": Scope.allCases.map(\.rawValue).joined(separator: " ")])
            }
            if !parsed.contains(scope) { parsed.append(scope) }
        }
        // A key can never hold more than its creator.
        for scope in parsed where !principal.scopes.allows(scope) { throw FiscalMixError.missingScope(scope) }
        let now = clock.now()
        if let expiresAt, expiresAt <= now { throw FiscalMixError.validation("expiresAt", "Expiry must be in the future.") }
        let secret = OpaqueToken.generate(prefix: AuthService.apiKeyPrefix)
        let key = ApiKey(
            id: ID.make(now: now), accountId: principal.accountId, name: name, prefix: String(secret.prefix(12)),
            scopes: parsed, status: .active, createdByUserId: principal.userId, lastUsedAt: nil, expiresAt: expiresAt,
            revokedAt: nil, createdAt: now)
        try await keys.insert(key, hash: OpaqueToken.sha256Hex(secret))
        try await audit.record(
            "api_key.created", by: principal, entityType: "api_key", entityId: key.id.lowercased,
            metadata: ["name": name, "prefix": key.prefix, "scopes": parsed.map(\.rawValue).joined(separator: " ")],
            meta: meta)
        return (key, secret)
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<ApiKey> {
        try principal.require(.admin)
        return try await keys.list(accountId: principal.accountId, page: page)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> ApiKey {
        try principal.require(.admin)
        guard let key = try await keys.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("API key") }
        return key
    }

    public func revoke(_ principal: Principal, id: UUID, meta: RequestMeta) async throws -> ApiKey {
        try principal.require(.admin)
        guard let key = try await keys.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("API key") }
        let revoked = try await keys.revoke(id: id, accountId: principal.accountId, at: clock.now())
        cache.forgetKey(id: id)
        if revoked {
            try await audit.record(
                "api_key.revoked", by: principal, entityType: "api_key", entityId: id.lowercased,
                metadata: ["name": key.name, "prefix": key.prefix], meta: meta)
        }
        return try await get(principal, id: id)
    }
}
