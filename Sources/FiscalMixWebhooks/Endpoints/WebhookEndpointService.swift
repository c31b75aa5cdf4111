import FiscalMixConnectors
public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
public import FiscalMixOutbound
import FiscalMixSecrets
public import FiscalMixVault
public import Foundation

/// Webhook endpoints (docs/data-model.md): create (the secret shown once), read, change, delete, rotate
/// the secret with an overlap, and the account's default retry schedule.
public struct WebhookEndpointService: Sendable {
    let database: Database
    let endpoints: WebhookEndpointRepository
    let accountSettings: AccountSettings
    let deliveries: WebhookDeliveryRepository
    let policies: PolicyLookup
    let vault: SecretVault
    let audit: AuditTrail
    let breakers: CircuitBreakers
    let clock: any WallClock

    /// The overlap after a rotation: 24 hours unless asked, at most 7 days.
    public static let defaultOverlap: TimeInterval = 86_400
    public static let overlapRange: ClosedRange<Int> = 3_600...(7 * 86_400)

    public init(database: Database, vault: SecretVault, audit: AuditTrail, breakers: CircuitBreakers, clock: any WallClock) {
        self.database = database
        endpoints = WebhookEndpointRepository(database: database)
        accountSettings = AccountSettings(database: database)
        deliveries = WebhookDeliveryRepository(database: database)
        policies = PolicyLookup(database: database)
        self.vault = vault
        self.audit = audit
        self.breakers = breakers
        self.clock = clock
    }

    /// The view of an endpoint as stored: its header values are opened to show those whose
    /// names do not look like credentials.
    func view(_ endpoint: WebhookEndpoint, now: Date) async throws -> WebhookEndpointView {
        var opened = endpoint
        opened.headers = try await headers(of: endpoint)
        return view(opened: opened, now: now)
    }

    /// The view of an endpoint whose header values are in hand.
    func view(opened endpoint: WebhookEndpoint, now: Date) -> WebhookEndpointView {
        WebhookEndpointView(endpoint, now: now, breaker: breakers.state(endpoint.policyKey))
    }

    public func create(_ principal: Principal, _ input: WebhookEndpointInput, meta: RequestMeta) async throws -> WebhookEndpointSecretView {
        try principal.require(.webhooksWrite)
        guard let url = input.url else { throw FiscalMixError.validation("url", "An endpoint needs a url.") }
        let now = clock.now()
        var endpoint = WebhookEndpoint(
            id: ID.make(now: now), accountId: principal.accountId,
            systemName: input.systemName ?? URLComponents(string: url)?.host ?? "webhook", url: url,
            createdAt: now, updatedAt: now)
        try await apply(input, to: &endpoint, principal: principal)
        endpoint.signingScheme = input.signingScheme ?? .v1
        let secret = try await newSecret(for: &endpoint, now: now)
        let opened = endpoint
        let sealedHeaders = try await sealHeaders(of: &endpoint, now: now)
        let entry = audit.entry(
            "webhook_endpoint.created", by: principal, entityType: "webhook_endpoint", entityId: endpoint.id.lowercased,
            metadata: ["url": endpoint.url, "signingScheme": endpoint.signingScheme.rawValue], meta: meta)
        try await database.transaction { [endpoints, endpoint, audit] tx in
            try await store(secret, in: tx)
            if let sealedHeaders { try await store(sealedHeaders, in: tx) }
            try await endpoints.insert(endpoint, in: tx)
            try await audit.write(entry, in: tx)
        }
        return WebhookEndpointSecretView(endpoint: view(opened: opened, now: now), secret: secret.shown)
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<WebhookEndpointView> {
        try principal.require(.webhooksRead)
        let found = try await endpoints.list(accountId: principal.accountId, page: page)
        let now = clock.now()
        var items: [WebhookEndpointView] = []
        for endpoint in found.items { items.append(try await view(endpoint, now: now)) }
        return Page(items: items, nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> WebhookEndpointView {
        try principal.require(.webhooksRead)
        return try await view(try await find(id, principal), now: clock.now())
    }

    public func update(_ principal: Principal, id: UUID, _ input: WebhookEndpointInput, meta: RequestMeta) async throws -> WebhookEndpointView {
        try principal.require(.webhooksWrite)
        let before = try await find(id, principal)
        var endpoint = before
        endpoint.headers = try await headers(of: before)
        if let scheme = input.signingScheme, scheme != before.signingScheme {
            throw FiscalMixError.validation("signingScheme", "The signing scheme is chosen at creation; create a new endpoint to change it.")
        }
        if let url = input.url { endpoint.url = url }
        if let name = input.systemName { endpoint.systemName = name }
        try await apply(input, to: &endpoint, principal: principal)
        if endpoint.status == .active, before.status == .disabled {
            endpoint.disabledReason = nil
            endpoint.failingSince = nil
        }
        endpoint.updatedAt = clock.now()
        var diff: [String: [String: String]] = [:]
        for (field, old, new) in [
            ("url", before.url, endpoint.url), ("status", before.status.rawValue, endpoint.status.rawValue),
            ("systemName", before.systemName, endpoint.systemName),
        ] where old != new {
            diff[field] = ["from": old, "to": new]
        }
        let entry = audit.entry(
            "webhook_endpoint.updated", by: principal, entityType: "webhook_endpoint", entityId: endpoint.id.lowercased,
            diff: diff, meta: meta)
        let resumed = before.status != .active && endpoint.status == .active
        let opened = endpoint
        // New header values are sealed anew; the old sealed copy goes in the same transaction.
        var replacedHeaders: SecretRef?
        var sealedHeaders: NewSecret?
        if input.headers != nil {
            replacedHeaders = try await before.headersSecretRefId.asyncFlatMap { try await vault.ref(id: $0, accountId: before.accountId) }
            sealedHeaders = try await sealHeaders(of: &endpoint, now: endpoint.updatedAt)
        } else {
            endpoint.headers = before.headers
        }
        try await database.transaction { [endpoints, deliveries, endpoint, audit, replacedHeaders, sealedHeaders] tx in
            if let sealedHeaders { try await store(sealedHeaders, in: tx) }
            try await endpoints.update(endpoint, in: tx)
            if let replacedHeaders { try await remove(replacedHeaders, in: tx) }
            // Deliveries that waited while the endpoint was paused (or disabled) go out now.
            if resumed { try await deliveries.resume(endpointId: endpoint.id, accountId: endpoint.accountId, now: endpoint.updatedAt, in: tx) }
            try await audit.write(entry, in: tx)
        }
        return view(opened: opened, now: opened.updatedAt)
    }

    public func delete(_ principal: Principal, id: UUID, meta: RequestMeta) async throws {
        try principal.require(.webhooksWrite)
        let endpoint = try await find(id, principal)
        let refs = try await [endpoint.secretRefId, endpoint.previousSecretRefId, endpoint.headersSecretRefId].compactMap { $0 }.asyncCompactMap {
            try await vault.ref(id: $0, accountId: endpoint.accountId)
        }
        let entry = audit.entry(
            "webhook_endpoint.deleted", by: principal, entityType: "webhook_endpoint", entityId: endpoint.id.lowercased,
            metadata: ["url": endpoint.url], meta: meta)
        try await database.transaction { [endpoints, audit] tx in
            guard try await endpoints.delete(id: endpoint.id, accountId: endpoint.accountId, in: tx) else { return }
            for ref in refs { try await remove(ref, in: tx) }
            try await audit.write(entry, in: tx)
        }
    }

    /// A new secret (or key pair) signs from now on; the current one keeps signing beside it
    /// until the overlap ends. A secret still in an earlier overlap is dropped.
    public func rotate(_ principal: Principal, id: UUID, _ input: RotateSecretInput, meta: RequestMeta) async throws -> WebhookEndpointSecretView {
        try principal.require(.webhooksWrite)
        let overlap = input.overlapSeconds ?? Int(Self.defaultOverlap)
        guard Self.overlapRange.contains(overlap) else {
            throw FiscalMixError.validation("overlapSeconds", "overlapSeconds is 3,600 (1 hour) to 604,800 (7 days).")
        }
        var endpoint = try await find(id, principal)
        let now = clock.now()
        let dropped = try await endpoint.previousSecretRefId.asyncFlatMap { try await vault.ref(id: $0, accountId: endpoint.accountId) }
        endpoint.previousSecretRefId = endpoint.secretRefId
        endpoint.previousSecretExpiresAt = now.addingTimeInterval(TimeInterval(overlap))
        let secret = try await newSecret(for: &endpoint, now: now)
        endpoint.updatedAt = now
        let entry = audit.entry(
            "webhook_endpoint.secret_rotated", by: principal, entityType: "webhook_endpoint",
            entityId: endpoint.id.lowercased, metadata: ["overlapSeconds": String(overlap)], meta: meta)
        try await database.transaction { [endpoints, endpoint, audit] tx in
            try await store(secret, in: tx)
            try await endpoints.update(endpoint, in: tx)
            if let dropped { try await remove(dropped, in: tx) }
            try await audit.write(entry, in: tx)
        }
        return WebhookEndpointSecretView(endpoint: try await view(endpoint, now: now), secret: secret.shown)
    }

    // MARK: Account settings

    public func settings(_ principal: Principal) async throws -> WebhookSettingsView {
        try principal.require(.webhooksRead)
        let schedule = try await accountSettings.webhookRetrySchedule(accountId: principal.accountId)
        return WebhookSettingsView(retrySchedule: schedule ?? DeliveryRetrySchedule.default.steps, isDefault: schedule == nil)
    }

    public func updateSettings(_ principal: Principal, _ input: WebhookSettingsInput) async throws -> WebhookSettingsView {
        try principal.require(.webhooksWrite)
        if let steps = input.retrySchedule, let problem = DeliveryRetrySchedule.validate(steps) {
            throw FiscalMixError.validation("retrySchedule", problem)
        }
        try await accountSettings.setWebhookRetrySchedule(input.retrySchedule, accountId: principal.accountId)
        return try await settings(principal)
    }

    // MARK: Helpers

    func find(_ id: UUID, _ principal: Principal) async throws -> WebhookEndpoint {
        guard let e = try await endpoints.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Webhook endpoint") }
        return e
    }

    /// Applies and checks the fields every create and update share.
    func apply(_ input: WebhookEndpointInput, to e: inout WebhookEndpoint, principal: Principal) async throws {
        if let description = input.description { e.description = description }
        if let status = input.status { e.status = status }
        if let types = input.eventTypes { e.eventTypes = types }
        if let headers = input.headers { e.headers = headers }
        if let schedule = input.retrySchedule { e.retrySchedule = schedule }
        if let rate = input.rateLimitPerSecond { e.rateLimitPerSecond = rate }
        if let policyId = input.policyId {
            guard try await policies.find(id: policyId, accountId: principal.accountId) != nil else { throw FiscalMixError.notFound("Policy") }
            e.policyId = policyId
        }
        try OutboundURL.validate(e.url, field: "url")
        guard (1...255).contains(e.systemName.count) else { throw FiscalMixError.validation("systemName", "systemName has 1 to 255 characters.") }
        guard (e.description?.count ?? 0) <= 2000 else { throw FiscalMixError.validation("description", "At most 2,000 characters.") }
        guard e.eventTypes.count <= 100,
            e.eventTypes.allSatisfy({ $0 == "*" || EventType.isValidName($0.hasSuffix(".*") ? String($0.dropLast(2)) : $0) })
        else { throw FiscalMixError.validation("eventTypes", "eventTypes holds up to 100 event-type names or 'family.*' patterns.") }
        try WebhookHeaders.validate(e.headers)
        if let steps = e.retrySchedule, let problem = DeliveryRetrySchedule.validate(steps) {
            throw FiscalMixError.validation("retrySchedule", problem)
        }
        if let rate = e.rateLimitPerSecond, !(1...10_000).contains(rate) {
            throw FiscalMixError.validation("rateLimitPerSecond", "rateLimitPerSecond is 1 to 10,000.")
        }
    }

    /// A secret made for an endpoint: sealed, with its reference, and what to show once.
    struct NewSecret: Sendable {
        let sealed: SealedSecret
        let ref: SecretRef
        let shown: String?
    }

    func newSecret(for endpoint: inout WebhookEndpoint, now: Date) async throws -> NewSecret {
        let plaintext: String
        var shown: String?
        switch endpoint.signingScheme {
        case .v1:
            plaintext = WebhookSignature.newSecret()
            shown = plaintext
        case .v1a:
            let pair = WebhookSignature.newSigningKeyPair()
            plaintext = pair.secret
            endpoint.publicKey = pair.publicKey
        }
        let sealed = try await vault.seal(
            Data(plaintext.utf8), ownerTable: "webhook_endpoints", ownerId: endpoint.id.lowercased,
            accountId: endpoint.accountId)
        let ref = SecretRef(id: ID.make(now: now), accountId: endpoint.accountId, provider: .db, ref: sealed.id.lowercased, version: 1)
        endpoint.secretRefId = ref.id
        return NewSecret(sealed: sealed, ref: ref, shown: shown)
    }

    /// Seals the endpoint's header values (nil when it has none) and leaves only their names in
    /// `headers`, which is what the table keeps.
    func sealHeaders(of endpoint: inout WebhookEndpoint, now: Date) async throws -> NewSecret? {
        let values = endpoint.headers
        endpoint.headers = values.mapValues { _ in "" }
        endpoint.headersSecretRefId = nil
        guard !values.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plaintext = try encoder.encode(values)
        let sealed = try await vault.seal(plaintext, ownerTable: "webhook_endpoints", ownerId: endpoint.id.lowercased, accountId: endpoint.accountId)
        let ref = SecretRef(id: ID.make(now: now), accountId: endpoint.accountId, provider: .db, ref: sealed.id.lowercased, version: 1)
        endpoint.headersSecretRefId = ref.id
        return NewSecret(sealed: sealed, ref: ref, shown: nil)
    }

    /// The endpoint's header values, opened.
    func headers(of endpoint: WebhookEndpoint) async throws -> [String: String] {
        guard let refId = endpoint.headersSecretRefId else { return endpoint.headers }
        guard let ref = try await vault.ref(id: refId, accountId: endpoint.accountId), let sealedId = UUID(uuidString: ref.ref) else {
            throw FiscalMixError.notFound("Secret")
        }
        return try JSONDecoder().decode([String: String].self, from: try await vault.reveal(sealedId, accountId: endpoint.accountId))
    }

    /// Seals the header values of endpoints written before they were sealed (run at start;
    /// resumable: each endpoint is one transaction).
    public func sealPlaintextHeaders() async throws -> Int {
        var after: UUID?
        var sealedCount = 0
        repeat {
            let page = try await endpoints.unsealedHeaders(after: after, limit: 500)
            for var endpoint in page.plaintext {
                guard let sealedHeaders = try await sealHeaders(of: &endpoint, now: clock.now()) else { continue }
                try await database.transaction { [endpoints, endpoint] tx in
                    try await store(sealedHeaders, in: tx)
                    try await endpoints.update(endpoint, in: tx)
                }
                sealedCount += 1
            }
            after = page.last
        } while after != nil
        return sealedCount
    }

    func store(_ secret: NewSecret, in tx: Transaction) async throws {
        try await vault.insert(secret.sealed, in: tx)
        try await vault.insertRef(secret.ref, in: tx)
    }

    func remove(_ ref: SecretRef, in tx: Transaction) async throws {
        try await vault.deleteRef(id: ref.id, in: tx)
        if ref.provider == .db, let id = UUID(uuidString: ref.ref) { try await vault.delete(id: id, in: tx) }
    }
}

extension Sequence where Element: Sendable {
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var out: [T] = []
        for element in self { if let value = try await transform(element) { out.append(value) } }
        return out
    }
}

extension Optional where Wrapped: Sendable {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
