public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
import FiscalMixJSON
import FiscalMixJobs
import FiscalMixSecrets
public import FiscalMixVault
public import Foundation
import Synchronization

/// The inbound inbox (docs/data-model.md WebhookInbox): providers an account accepts webhooks from, and
/// `POST /v1/inbox/{provider}` — the signature checked in the provider's scheme, the raw body
/// kept, each provider event id accepted once (a repeat answers 200 and is not processed
/// again), and a job that turns the message into an integration event.
public struct InboxService: Sendable {
    let database: Database
    let inbox: InboxRepository
    let vault: SecretVault
    let blobs: any BlobStore
    let audit: AuditTrail
    let clock: any WallClock
    let secrets: OpenedSecrets

    public init(database: Database, vault: SecretVault, blobs: any BlobStore, audit: AuditTrail, clock: any WallClock) {
        self.database = database
        inbox = InboxRepository(database: database)
        self.vault = vault
        self.blobs = blobs
        self.audit = audit
        self.clock = clock
        secrets = OpenedSecrets(database: database, vault: vault)
    }

    // MARK: Providers

    public func createProvider(_ principal: Principal, _ input: InboxProviderInput, meta: RequestMeta) async throws -> InboxProviderView {
        try principal.require(.webhooksWrite)
        guard let name = input.name, (1...100).contains(name.count),
            name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { throw FiscalMixError.validation("name", "name has 1 to 100 letters, digits, '-', '_' or '.'.") }
        guard let verifierName = input.verifier, let scheme = InboundSignature.Scheme(rawValue: verifierName) else {
            throw FiscalMixError.validation("verifier", "verifier is standard_webhooks, hmac_sha256 or timestamped_hmac.")
        }
        guard let secret = input.secret, (8...1024).contains(secret.utf8.count) else {
            throw FiscalMixError.validation("secret", "secret is the provider's signing secret (8 to 1,024 bytes).")
        }
        if scheme == .standardWebhooks, (try? WebhookSignature.key(secret)) == nil {
            throw FiscalMixError.validation("secret", "A Standard Webhooks provider's secret is a whsec_ secret.")
        }
        for (field, value) in [("signatureHeader", input.signatureHeader), ("eventIdHeader", input.eventIdHeader)] {
            if let value,
                !(1...100).contains(value.count)
                    || !value.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") })
            {
                throw FiscalMixError.validation(field, "\(field) is an HTTP header name.")
            }
        }
        if let pointer = input.eventIdPointer, !(pointer.hasPrefix("/") && pointer.count <= 255) {
            throw FiscalMixError.validation("eventIdPointer", "eventIdPointer is a JSON Pointer such as /id.")
        }
        let eventType = input.eventType ?? "inbox.message.received"
        guard EventType.isValidName(eventType) else { throw FiscalMixError.validation("eventType", "eventType is an event-type name.") }
        let tolerance = input.toleranceSeconds ?? 300
        guard (1...3600).contains(tolerance) else { throw FiscalMixError.validation("toleranceSeconds", "toleranceSeconds is 1 to 3,600.") }
        let now = clock.now()
        let id = ID.make(now: now)
        let sealedSecret = try await vault.seal(
            Data(secret.utf8), ownerTable: "inbox_providers", ownerId: id.lowercased, accountId: principal.accountId)
        let ref = SecretRef(id: ID.make(now: now), accountId: principal.accountId, provider: .db, ref: sealedSecret.id.lowercased, version: 1)
        let provider = InboxProvider(
            id: id, accountId: principal.accountId, name: name, verifier: scheme.rawValue, secretRefId: ref.id,
            signatureHeader: input.signatureHeader?.lowercased(), eventIdHeader: input.eventIdHeader?.lowercased(),
            eventIdPointer: input.eventIdPointer, eventType: eventType, toleranceSeconds: tolerance, createdAt: now, updatedAt: now)
        let entry = audit.entry(
            "inbox_provider.created", by: principal, entityType: "inbox_provider", entityId: id.lowercased,
            metadata: ["name": name, "verifier": scheme.rawValue], meta: meta)
        do {
            try await database.transaction { [inbox, vault, audit] tx in
                try await vault.insert(sealedSecret, in: tx)
                try await vault.insertRef(ref, in: tx)
                try await inbox.insert(provider, in: tx)
                try await audit.write(entry, in: tx)
            }
        } catch  where database.isUniqueViolation(error) {
            throw WebhooksError(.conflict, .inboxProviderExists, "This account already has an inbox provider named '\(name)'.")
        }
        return InboxProviderView(provider)
    }

    public func listProviders(_ principal: Principal, page: PageRequest) async throws -> Page<InboxProviderView> {
        try principal.require(.webhooksRead)
        let found = try await inbox.providers(accountId: principal.accountId, page: page)
        return Page(items: found.items.map(InboxProviderView.init), nextCursor: found.nextCursor)
    }

    public func getProvider(_ principal: Principal, id: UUID) async throws -> InboxProviderView {
        try principal.require(.webhooksRead)
        guard let p = try await inbox.provider(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Inbox provider") }
        return InboxProviderView(p)
    }

    public func deleteProvider(_ principal: Principal, id: UUID, meta: RequestMeta) async throws {
        try principal.require(.webhooksWrite)
        guard let p = try await inbox.provider(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Inbox provider") }
        let ref = try await p.secretRefId.asyncFlatMap { try await vault.ref(id: $0, accountId: p.accountId) }
        let entry = audit.entry(
            "inbox_provider.deleted", by: principal, entityType: "inbox_provider", entityId: p.id.lowercased,
            metadata: ["name": p.name], meta: meta)
        try await database.transaction { [inbox, vault, audit] tx in
            guard try await inbox.deleteProvider(id: p.id, accountId: p.accountId, in: tx) else { return }
            if let ref {
                try await vault.deleteRef(id: ref.id, in: tx)
                if let sealedId = UUID(uuidString: ref.ref) { try await vault.delete(id: sealedId, in: tx) }
            }
            try await audit.write(entry, in: tx)
        }
    }

    // MARK: Receiving

    public enum Receipt: Sendable, Equatable {
        case accepted(UUID)
        case duplicate
    }

    /// The most a message may weigh.
    public static let maxBodyBytes = 1 << 20

    /// Checks and stores one inbound webhook. `headers` are keyed by lower-case name. A bad or
    /// missing signature is a 401 and nothing is stored.
    public func receive(providerId: UUID, headers: [String: String], body: [UInt8]) async throws -> Receipt {
        guard let provider = try await inbox.provider(id: providerId), let scheme = InboundSignature.Scheme(rawValue: provider.verifier),
            let refId = provider.secretRefId
        else { throw FiscalMixError.notFound("Inbox") }
        let secret = try await secrets.secret(refId, accountId: provider.accountId)
        do {
            try InboundSignature.verify(
                scheme, secret: secret, signatureHeader: provider.signatureHeader, header: { headers[$0.lowercased()] },
                body: body, now: clock.now(), tolerance: TimeInterval(provider.toleranceSeconds))
        } catch {
            throw WebhooksError(.unauthorized, .signatureInvalid, "The webhook signature does not verify: \(error).")
        }
        let json = try? JSON(parsing: body)
        guard let eventId = Self.eventId(provider, scheme: scheme, headers: headers, body: json), (1...255).contains(eventId.count) else {
            throw WebhooksError(.unprocessable, .eventIdMissing, "The message carries no event id where this provider puts it.")
        }
        if try await inbox.exists(accountId: provider.accountId, provider: provider.name, eventId: eventId) { return .duplicate }
        // Keyed by the event id: concurrent duplicates write the same bytes to the same key.
        let key = "inbox/\(provider.accountId.lowercased)/\(provider.name)/\(OpaqueToken.sha256Hex(eventId))"
        try await blobs.put(key, body)
        let now = clock.now()
        let message = InboxMessage(
            id: ID.make(now: now), accountId: provider.accountId, provider: provider.name, eventId: eventId, status: .received,
            payloadRef: key, payloadJSON: json.map { $0.serialized() }, error: nil, receivedAt: now, processedAt: nil)
        let kept = headers.filter { !["authorization", "cookie", "proxy-authorization"].contains($0.key) }
        let stored = try await database.transaction { [inbox] tx in
            guard
                try await inbox.accept(
                    message, headersJSON: JSON.object(JSONObject(kept.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })).serialized(),
                    in: tx)
            else { return false }
            try await JobsInTransaction.enqueueBatch(
                [InboxProcessor.job(messageId: message.id, accountId: message.accountId)],
                now: now, in: tx)
            return true
        }
        return stored ? .accepted(message.id) : .duplicate
    }

    /// Standard Webhooks carry the id in `webhook-id`; other providers in a configured header,
    /// or in the body (a JSON Pointer, `/id` by default).
    static func eventId(_ provider: InboxProvider, scheme: InboundSignature.Scheme, headers: [String: String], body: JSON?) -> String? {
        if scheme == .standardWebhooks, provider.eventIdHeader == nil, provider.eventIdPointer == nil { return headers["webhook-id"] }
        if let header = provider.eventIdHeader { return headers[header] }
        guard let body else { return nil }
        var node: JSON? = body
        for token in (provider.eventIdPointer ?? "/id").split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if case .array(let items)? = node, let index = Int(key), items.indices.contains(index) { node = items[index] } else { node = node?[key] }
        }
        switch node {
        case .string(let s)?: return s
        case .number(let n)?: return n.int64Value.map(String.init)
        default: return nil
        }
    }

    // MARK: Messages

    public func messages(_ principal: Principal, provider: String?, page: PageRequest) async throws -> Page<InboxMessageView> {
        try principal.require(.webhooksRead)
        let found = try await inbox.messages(accountId: principal.accountId, provider: provider, page: page)
        return Page(items: found.items.map(InboxMessageView.init), nextCursor: found.nextCursor)
    }

    public func message(_ principal: Principal, id: UUID) async throws -> InboxMessageView {
        try principal.require(.webhooksRead)
        guard let m = try await inbox.message(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Inbox message") }
        return InboxMessageView(m)
    }
}
