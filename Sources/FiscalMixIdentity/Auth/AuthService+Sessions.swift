public import FiscalMixCore
import FiscalMixDatabase
public import Foundation

extension AuthService {
    /// The caller's live sessions, newest first.
    public func listSessions(_ principal: Principal) async throws -> [SessionRecord] {
        guard let userId = principal.userId, principal.sessionId != nil else {
            throw IdentityError(.forbidden, .sessionRequired, "Sessions belong to signed-in users.")
        }
        return try await sessions.listActive(userId: userId, now: clock.now())
    }

    /// Signs out one of the caller's own sessions (another device).
    public func revokeOwnSession(_ principal: Principal, id: UUID, meta: RequestMeta) async throws {
        guard principal.sessionId != nil, let session = try await sessions.find(id: id, accountId: principal.accountId),
            session.userId == principal.userId
        else { throw FiscalMixError.notFound("Session") }
        try await sessions.revoke(id: id, accountId: principal.accountId, reason: "user_revoked", at: clock.now())
        try await audit.record("session.revoked", by: principal, entityType: "session", entityId: id.lowercased, meta: meta)
    }

    /// An account admin signs a user out everywhere (e.g. a lost laptop).
    public func revokeUserSessions(_ principal: Principal, userId: UUID, meta: RequestMeta) async throws -> Int {
        try principal.require(.admin)
        guard try await users.find(id: userId, accountId: principal.accountId) != nil else { throw FiscalMixError.notFound("User") }
        let count = try await sessions.revokeAll(userId: userId, reason: "admin_revoked", at: clock.now())
        try await audit.record(
            "session.admin_revoked", by: principal, entityType: "user", entityId: userId.lowercased,
            metadata: ["revoked": String(count)], meta: meta)
        return count
    }
}
