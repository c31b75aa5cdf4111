public import Foundation

/// Where the outbound client finds the internal addresses an account allowed itself
/// (`PUT /v1/outbound-settings`): checked on every call made for that account, on top of the
/// deployment's `FISCALMIX_OUTBOUND_ALLOW`.
public protocol AccountAddressRules: Sendable {
    func rules(for accountId: UUID) async throws -> [String]
}

extension AddressGuard {
    /// The most entries an account may list.
    public static let maxAccountRules = 50

    /// Why `rule` cannot be an account's allow-list entry, or nil when it can. Accounts list
    /// address blocks only — a name can be pointed anywhere, and name rules skip resolution — no
    /// wider than /8 (IPv4) or /32 (IPv6), never link-local (the cloud metadata service lives
    /// there) or unspecified addresses, and always inside what the deployment lets accounts open
    /// (`accountGrantable`): reaching internal networks is the operator's decision.
    public func accountRuleProblem(_ rule: String) -> AccountRuleProblem? {
        guard let block = CIDR(rule) else {
            return .init(.malformed, "'\(rule)' is not an address or a CIDR block such as 10.20.0.0/16.")
        }
        if let problem = Self.shapeProblem(block, rule) { return .init(.malformed, problem) }
        guard isGrantable(block) else {
            return .init(
                .notGrantable,
                accountGrantable.isEmpty
                    ? "This deployment lets no account open internal addresses ('\(rule)'); its operator decides that."
                    : "'\(rule)' is outside what this deployment lets accounts open (\(accountGrantable.joined(separator: ", "))).")
        }
        return nil
    }

    private static func shapeProblem(_ block: CIDR, _ rule: String) -> String? {
        let minimum = block.network.count == 4 ? 8 : 32
        guard block.prefix >= minimum else { return "'\(rule)' is wider than /\(minimum)." }
        let reserved = ["169.254.0.0/16", "fe80::/10", "0.0.0.0/8", "::/128"].compactMap(CIDR.init)
        if reserved.contains(where: { $0.overlaps(block) }) {
            return "'\(rule)' reaches link-local or unspecified addresses (the cloud metadata service); only the deployment may allow those."
        }
        return nil
    }
}

/// Why an account cannot list an address block: a malformed or too-wide block, or one the
/// deployment does not offer accounts.
public struct AccountRuleProblem: Sendable, Equatable {
    public enum Reason: Sendable, Equatable { case malformed, notGrantable }
    public let reason: Reason
    public let message: String
    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}

extension CIDR {
    /// Whether the two blocks share any address (one contains the other's network).
    func overlaps(_ other: CIDR) -> Bool {
        guard network.count == other.network.count else { return false }
        let wider = prefix <= other.prefix ? self : other
        let narrower = prefix <= other.prefix ? other : self
        return wider.contains(IPAddress(bytes: narrower.network))
    }
}
