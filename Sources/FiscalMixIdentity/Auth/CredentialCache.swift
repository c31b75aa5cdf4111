import FiscalMixCore
public import Foundation
import Synchronization

/// A short-lived, in-process memory of resolved API keys and accounts, so a busy integration
/// does not pay two database round trips on every call.
///
/// Staleness is bounded and explicit: entries live `ttl` seconds (2 s by default). Revoking a key
/// or changing an account's status evicts the entry at once in the process that made the change;
/// other processes sharing the database see it within `ttl`. Keys are SHA-256 hashes, never the
/// secrets themselves.
public final class CredentialCache: Sendable {
    struct KeyEntry {
        let principal: Principal
        let keyExpiresAt: Date?
        let cachedUntil: Date
    }

    struct AccountEntry {
        let account: Account
        let cachedUntil: Date
    }

    let ttl: TimeInterval
    private let keys = Mutex<[String: KeyEntry]>([:])
    private let accounts = Mutex<[UUID: AccountEntry]>([:])
    static let maxEntries = 50_000

    public init(ttl: TimeInterval = 2) { self.ttl = ttl }

    func principal(forKeyHash hash: String, now: Date) -> (Principal, Date?)? {
        guard ttl > 0 else { return nil }
        return keys.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.cachedUntil > now else { entries[hash] = nil; return nil }
            return (entry.principal, entry.keyExpiresAt)
        }
    }

    func remember(keyHash hash: String, principal: Principal, keyExpiresAt: Date?, now: Date) {
        guard ttl > 0 else { return }
        keys.withLock { entries in
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[hash] = KeyEntry(principal: principal, keyExpiresAt: keyExpiresAt, cachedUntil: now.addingTimeInterval(ttl))
        }
    }

    func forgetKey(id: UUID) {
        keys.withLock { entries in entries = entries.filter { $0.value.principal.apiKeyId != id } }
    }

    func account(_ id: UUID, now: Date) -> Account? {
        guard ttl > 0 else { return nil }
        return accounts.withLock { entries in
            guard let entry = entries[id], entry.cachedUntil > now else { return nil }
            return entry.account
        }
    }

    func remember(account: Account, now: Date) {
        guard ttl > 0 else { return }
        accounts.withLock { entries in
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[account.id] = AccountEntry(account: account, cachedUntil: now.addingTimeInterval(ttl))
        }
    }

    /// An account's status changed: drop it and every key of it.
    func forgetAccount(_ id: UUID) {
        accounts.withLock { $0[id] = nil }
        keys.withLock { entries in entries = entries.filter { $0.value.principal.accountId != id } }
    }
}
