public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
public import FiscalMixOutbound
public import Foundation
import Synchronization

public struct OutboundSettingsInput: Sendable, Decodable {
    public var allowedAddresses: [String]?
}

public struct OutboundSettingsView: Sendable, Encodable {
    /// Internal address blocks this account's connectors and webhooks may reach.
    public let allowedAddresses: [String]
}

/// `/v1/outbound-settings`: the account's own exceptions to the SSRF guard. Reading needs
/// `connectors:read`; changing them is an administrator's decision (`admin`), audited.
public struct OutboundSettingsService: Sendable {
    let database: Database
    let accounts: AccountSettings
    let rules: AccountAddressRuleCache
    let audit: AuditTrail
    let clock: any WallClock
    /// The deployment's guard: what accounts may open.
    let addressGuard: AddressGuard

    public init(database: Database, rules: AccountAddressRuleCache, audit: AuditTrail, clock: any WallClock, addressGuard: AddressGuard) {
        self.database = database
        accounts = AccountSettings(database: database)
        self.rules = rules
        self.audit = audit
        self.clock = clock
        self.addressGuard = addressGuard
    }

    public func get(_ principal: Principal) async throws -> OutboundSettingsView {
        try principal.require(.connectorsRead)
        return OutboundSettingsView(allowedAddresses: try await accounts.outboundAllow(accountId: principal.accountId))
    }

    public func update(_ principal: Principal, _ input: OutboundSettingsInput, meta: RequestMeta) async throws -> OutboundSettingsView {
        try principal.require(.admin)
        guard let given = input.allowedAddresses else {
            throw FiscalMixError.validation("allowedAddresses", "allowedAddresses is required (an empty list clears it).")
        }
        guard given.count <= AddressGuard.maxAccountRules else {
            throw FiscalMixError.validation("allowedAddresses", "At most \(AddressGuard.maxAccountRules) entries.")
        }
        var cleaned: [String] = []
        for (index, raw) in given.enumerated() {
            let rule = raw.trimmingWhitespace()
            if let problem = addressGuard.accountRuleProblem(rule) {
                let field = "allowedAddresses[\(index)]"
                switch problem.reason {
                case .malformed: throw FiscalMixError.validation(field, problem.message)
                case .notGrantable: throw ConnectorsError(.unprocessable, .addressNotGrantable, problem.message, details: ["field": field])
                }
            }
            if !cleaned.contains(rule) { cleaned.append(rule) }
        }
        let previous = try await accounts.outboundAllow(accountId: principal.accountId)
        let entry = audit.entry(
            "account.outbound_allow_changed", by: principal, entityType: "account", entityId: principal.accountId.lowercased,
            metadata: ["before": previous.joined(separator: ","), "after": cleaned.joined(separator: ",")], meta: meta)
        let now = clock.now()
        try await database.transaction { [accounts, audit, cleaned] tx in
            try await accounts.setOutboundAllow(cleaned, accountId: principal.accountId, now: now, in: tx)
            try await audit.write(entry, in: tx)
        }
        rules.forget(principal.accountId)
        return OutboundSettingsView(allowedAddresses: cleaned)
    }
}

/// The outbound client's view of accounts' allow-lists: read from the database and kept for
/// 30 seconds (a change made in this process applies at once; in another, within 30 seconds).
/// Every call made for an account looks here, so a hit is a lock, not an actor hop.
public final class AccountAddressRuleCache: AccountAddressRules {
    static let lifetime: TimeInterval = 30
    let accounts: AccountSettings
    private let cached = Mutex<[UUID: (rules: [String], until: Date)]>([:])

    public init(database: Database) { accounts = AccountSettings(database: database) }

    public func rules(for accountId: UUID) async throws -> [String] {
        let now = Date()
        if let hit = cached.withLock({ $0[accountId] }), hit.until > now { return hit.rules }
        let rules = try await accounts.outboundAllow(accountId: accountId)
        cached.withLock { cached in
            if cached.count > 10_000 { cached.removeAll() }
            cached[accountId] = (rules, now.addingTimeInterval(Self.lifetime))
        }
        return rules
    }

    public func forget(_ accountId: UUID) { cached.withLock { $0[accountId] = nil } }
}
