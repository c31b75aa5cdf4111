public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
import FiscalMixOutbound
public import FiscalMixVault
public import Foundation

/// Connectors (`connectors`, docs/data-model.md): create, change, read and delete, with the authentication
/// secret sealed by the vault and referenced, never returned.
public struct ConnectorService: Sendable {
    /// Non-secret authentication settings are kept in `settings` under this prefix.
    static let authSettingPrefix = "auth."

    let database: Database
    let connectors: ConnectorRepository
    let policies: PolicyRepository
    let vault: SecretVault
    let audit: AuditTrail
    let clock: any WallClock
    /// Makes the outside calls (`test`); nil where the runtime has no outbound client.
    let caller: ConnectorCaller?
    /// What `env` and `file` references the deployment allows (none by default).
    let externalSecrets: ExternalSecretSources

    public init(
        database: Database, vault: SecretVault, audit: AuditTrail, clock: any WallClock, caller: ConnectorCaller? = nil,
        externalSecrets: ExternalSecretSources = .none
    ) {
        self.database = database
        connectors = ConnectorRepository(database: database)
        policies = PolicyRepository(database: database)
        self.vault = vault
        self.audit = audit
        self.clock = clock
        self.caller = caller
        self.externalSecrets = externalSecrets
    }

    public func create(_ principal: Principal, _ input: ConnectorInput, meta: RequestMeta) async throws -> ConnectorView {
        try principal.require(.connectorsWrite)
        guard let name = input.name, let baseUrl = input.baseUrl else {
            throw FiscalMixError.validation(input.name == nil ? "name" : "baseUrl", "A connector needs a name and a baseUrl.")
        }
        let now = clock.now()
        var connector = Connector(
            id: ID.make(now: now), accountId: principal.accountId, type: input.type ?? "http", name: name,
            status: input.status ?? .active, baseURL: baseUrl, authType: .none, secretRefId: nil, policyId: nil,
            timeoutSeconds: input.timeoutSeconds ?? 30, settings: input.settings ?? [:], createdAt: now, updatedAt: now)
        try Self.validate(connector)
        if let policyId = input.policyId { connector.policyId = try await policy(policyId, accountId: principal.accountId).id }
        let credential = try await prepare(input.auth ?? .init(type: .none), for: &connector, now: now)
        let entry = audit.entry(
            "connector.created", by: principal, entityType: "connector", entityId: connector.id.lowercased,
            metadata: ["name": connector.name, "baseUrl": connector.baseURL, "authType": connector.authType.rawValue], meta: meta)
        do {
            try await database.transaction { [connectors, vault, audit, connector] tx in
                if let credential {
                    if let sealed = credential.sealed { try await vault.insert(sealed, in: tx) }
                    try await vault.insertRef(credential.ref, in: tx)
                }
                try await connectors.insert(connector, in: tx)
                try await audit.write(entry, in: tx)
            }
        } catch  where database.isUniqueViolation(error) {
            throw ConnectorsError(.conflict, .connectorExists, "This account already has a connector named '\(connector.name)'.")
        }
        return ConnectorView(connector, secretRef: credential?.ref)
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<ConnectorView> {
        try principal.require(.connectorsRead)
        let found = try await connectors.list(accountId: principal.accountId, page: page)
        var views: [ConnectorView] = []
        for c in found.items { views.append(ConnectorView(c, secretRef: try await secretRef(of: c))) }
        return Page(items: views, nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> ConnectorView {
        try principal.require(.connectorsRead)
        let c = try await find(id, principal)
        return ConnectorView(c, secretRef: try await secretRef(of: c))
    }

    /// Changes what the input names; `auth`, when given, replaces the method and its secret.
    public func update(_ principal: Principal, id: UUID, _ input: ConnectorInput, meta: RequestMeta) async throws -> ConnectorView {
        try principal.require(.connectorsWrite)
        let before = try await find(id, principal)
        var connector = before
        let now = clock.now()
        if let name = input.name { connector.name = name }
        if let type = input.type { connector.type = type }
        if let status = input.status { connector.status = status }
        if let baseUrl = input.baseUrl { connector.baseURL = baseUrl }
        if let timeout = input.timeoutSeconds { connector.timeoutSeconds = timeout }
        if let policyId = input.policyId { connector.policyId = try await policy(policyId, accountId: principal.accountId).id }
        if let settings = input.settings {
            connector.settings = settings.merging(before.settings.filter { $0.key.hasPrefix(Self.authSettingPrefix) }) { new, _ in new }
        }
        connector.updatedAt = now
        try Self.validate(connector)
        let oldRef = try await secretRef(of: before)
        var credential: Credential?
        if let auth = input.auth {
            connector.settings = connector.settings.filter { !$0.key.hasPrefix(Self.authSettingPrefix) }
            credential = try await prepare(auth, for: &connector, now: now)
        }
        var diff: [String: [String: String]] = [:]
        for (field, old, new) in [
            ("name", before.name, connector.name), ("baseUrl", before.baseURL, connector.baseURL),
            ("status", before.status.rawValue, connector.status.rawValue),
            ("authType", before.authType.rawValue, connector.authType.rawValue),
        ] where old != new {
            diff[field] = ["from": old, "to": new]
        }
        if input.auth != nil { diff["secret"] = ["from": "[redacted]", "to": "[redacted]"] }
        let entry = audit.entry(
            "connector.updated", by: principal, entityType: "connector", entityId: connector.id.lowercased, diff: diff, meta: meta)
        do {
            try await database.transaction { [connectors, vault, audit, connector, credential] tx in
                if let credential {
                    if let sealed = credential.sealed { try await vault.insert(sealed, in: tx) }
                    try await vault.insertRef(credential.ref, in: tx)
                }
                try await connectors.update(connector, in: tx)
                if input.auth != nil, let oldRef { try await Self.remove(oldRef, connectors: connectors, vault: vault, in: tx) }
                try await audit.write(entry, in: tx)
            }
        } catch  where database.isUniqueViolation(error) {
            throw ConnectorsError(.conflict, .connectorExists, "This account already has a connector named '\(connector.name)'.")
        }
        return ConnectorView(connector, secretRef: input.auth != nil ? credential?.ref : oldRef)
    }

    public func delete(_ principal: Principal, id: UUID, meta: RequestMeta) async throws {
        try principal.require(.connectorsWrite)
        let connector = try await find(id, principal)
        let ref = try await secretRef(of: connector)
        let entry = audit.entry(
            "connector.deleted", by: principal, entityType: "connector", entityId: connector.id.lowercased,
            metadata: ["name": connector.name], meta: meta)
        try await database.transaction { [connectors, vault, audit] tx in
            guard try await connectors.delete(id: connector.id, accountId: connector.accountId, in: tx) else { return }
            if let ref { try await Self.remove(ref, connectors: connectors, vault: vault, in: tx) }
            try await audit.write(entry, in: tx)
        }
    }

    /// The connector's secret, opened: for the outbound client only, never for a response.
    public func secret(of connector: Connector) async throws -> String? {
        guard let ref = try await secretRef(of: connector) else { return nil }
        switch ref.provider {
        case .db:
            guard let id = UUID(uuidString: ref.ref) else { throw FiscalMixError.notFound("Secret") }
            return String(decoding: try await vault.reveal(id, accountId: connector.accountId), as: UTF8.self)
        case .env, .file:
            return try externalSecrets.read(ref.provider, ref.ref)
        }
    }

    /// Makes a real call through the whole stack — authentication, policy, SSRF guard, request
    /// log — and reports what happened.
    public func test(_ principal: Principal, id: UUID, _ input: ConnectorTestInput, requestId: String) async throws -> ConnectorTestResult {
        try principal.require(.connectorsWrite)
        guard let caller else { throw ConnectorsError(.unavailable, .outboundUnavailable, "Outside calls are not enabled here.") }
        let connector = try await find(id, principal)
        let method = (input.method ?? "GET").uppercased()
        guard ["GET", "HEAD", "OPTIONS"].contains(method) else {
            throw FiscalMixError.validation("method", "A test call uses GET, HEAD or OPTIONS.")
        }
        let path = input.path ?? ""
        guard path.count <= 2048, !path.contains("://"), !path.contains("\r"), !path.contains("\n") else {
            throw FiscalMixError.validation("path", "path is a path (and query) relative to the connector's baseUrl.")
        }
        var policy = Policy.default
        if let policyId = connector.policyId {
            policy = try await self.policy(policyId, accountId: connector.accountId).policy
        } else {
            policy.timeouts.attemptMs = connector.timeoutSeconds * 1000
            policy.timeouts.totalMs = max(policy.timeouts.totalMs, policy.timeouts.attemptMs)
        }
        policy.timeouts.attemptMs = min(policy.timeouts.attemptMs, connector.timeoutSeconds * 1000)
        let secret = try await self.secret(of: connector)
        let started = ContinuousClock.now
        var result = ConnectorTestResult(ok: false, httpStatus: nil, latencyMs: 0, attempts: 0, retries: 0, breaker: "closed", error: nil)
        do {
            let response = try await caller.call(
                connector, secret: secret, policy: policy,
                .init(method: method, path: path, operation: "connector.test"), requestId: requestId)
            result.ok = (200..<400).contains(response.status)
            result.httpStatus = response.status
            result.attempts = response.attempts
        } catch let error as OutboundError {
            result.attempts = error.attempts
            result.error = .init(code: error.code.rawValue, message: error.message)
        }
        let elapsed = started.duration(to: .now)
        result.latencyMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        result.retries = max(0, result.attempts - 1)
        result.breaker = caller.client.breakers.state(ConnectorCaller.policyKey(connector)).rawValue
        return result
    }

    // MARK: Helpers

    func policy(_ id: UUID, accountId: UUID) async throws -> StoredPolicy {
        guard let p = try await policies.find(id: id, accountId: accountId) else { throw FiscalMixError.notFound("Policy") }
        return p
    }

    struct Credential: Sendable {
        let ref: SecretRef
        let sealed: SealedSecret?
    }

    func find(_ id: UUID, _ principal: Principal) async throws -> Connector {
        guard let c = try await connectors.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Connector") }
        return c
    }

    func secretRef(of c: Connector) async throws -> SecretRef? {
        guard let id = c.secretRefId else { return nil }
        return try await vault.ref(id: id, accountId: c.accountId)
    }

    static func remove(_ ref: SecretRef, connectors: ConnectorRepository, vault: SecretVault, in tx: Transaction) async throws {
        try await vault.deleteRef(id: ref.id, in: tx)
        if ref.provider == .db, let id = UUID(uuidString: ref.ref) { try await vault.delete(id: id, in: tx) }
    }

    /// Checks the method's fields, moves its non-secret ones into settings, and seals the secret.
    func prepare(_ auth: ConnectorInput.AuthInput, for connector: inout Connector, now: Date) async throws -> Credential? {
        connector.authType = auth.type
        connector.secretRefId = nil
        func required(_ value: String?, _ field: String, max: Int = 255) throws -> String {
            guard let value, !value.isEmpty else { throw FiscalMixError.validation("auth.\(field)", "\(auth.type.rawValue) needs auth.\(field).") }
            guard value.count <= max else { throw FiscalMixError.validation("auth.\(field)", "auth.\(field) has at most \(max) characters.") }
            return value
        }
        var secret: String?
        var secretField = "token"
        switch auth.type {
        case .none:
            return nil
        case .bearer:
            secret = auth.token
        case .basic:
            connector.settings[Self.authSettingPrefix + "username"] = try required(auth.username, "username")
            secret = auth.password
            secretField = "password"
        case .apiKeyHeader:
            let header = try required(auth.header, "header", max: 100)
            guard header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                throw FiscalMixError.validation("auth.header", "auth.header must be an HTTP header name.")
            }
            connector.settings[Self.authSettingPrefix + "header"] = header
            secret = auth.key
            secretField = "key"
        case .apiKeyQuery:
            connector.settings[Self.authSettingPrefix + "param"] = try required(auth.param, "param", max: 100)
            secret = auth.key
            secretField = "key"
        case .oauth2ClientCredentials:
            let tokenUrl = try required(auth.tokenUrl, "tokenUrl", max: 2048)
            try OutboundURL.validate(tokenUrl, field: "auth.tokenUrl")
            connector.settings[Self.authSettingPrefix + "tokenUrl"] = tokenUrl
            connector.settings[Self.authSettingPrefix + "clientId"] = try required(auth.clientId, "clientId")
            if let scope = auth.scope { connector.settings[Self.authSettingPrefix + "scope"] = scope }
            secret = auth.clientSecret
            secretField = "clientSecret"
        }
        let refId = ID.make(now: now)
        connector.secretRefId = refId
        if let external = auth.secretRef {
            guard secret == nil else {
                throw FiscalMixError.validation("auth.secretRef", "Give either auth.\(secretField) or auth.secretRef, not both.")
            }
            guard external.provider != .db else {
                throw FiscalMixError.validation(
                    "auth.secretRef.provider", "Send the secret itself to have FiscalMix seal it; secretRef is for env or file.")
            }
            try externalSecrets.check(external.provider, external.ref)
            return Credential(
                ref: SecretRef(id: refId, accountId: connector.accountId, provider: external.provider, ref: external.ref, version: 1),
                sealed: nil)
        }
        guard let secret, !secret.isEmpty else {
            throw FiscalMixError.validation("auth.\(secretField)", "\(auth.type.rawValue) needs auth.\(secretField) (or auth.secretRef).")
        }
        guard secret.utf8.count <= 16_384 else { throw FiscalMixError.validation("auth.\(secretField)", "The secret is too long.") }
        let sealed = try await vault.seal(
            Data(secret.utf8), ownerTable: "connectors", ownerId: connector.id.lowercased, accountId: connector.accountId)
        return Credential(
            ref: SecretRef(id: refId, accountId: connector.accountId, provider: .db, ref: sealed.id.lowercased, version: 1),
            sealed: sealed)
    }

    static func validate(_ c: Connector) throws {
        guard (1...255).contains(c.name.trimmingWhitespace().count) else {
            throw FiscalMixError.validation("name", "A connector name has 1 to 255 characters.")
        }
        guard (1...50).contains(c.type.count) else { throw FiscalMixError.validation("type", "A connector type has 1 to 50 characters.") }
        guard (1...600).contains(c.timeoutSeconds) else { throw FiscalMixError.validation("timeoutSeconds", "timeoutSeconds is 1 to 600.") }
        guard c.settings.count <= 50, c.settings.allSatisfy({ $0.key.count <= 100 && $0.value.count <= 2048 }) else {
            throw FiscalMixError.validation("settings", "At most 50 settings, keys up to 100 and values up to 2048 characters.")
        }
        try OutboundURL.validate(c.baseURL, field: "baseUrl")
    }
}
