public import FiscalMixDatabase
public import Foundation
import SQLKit

/// A stored response for an `Idempotency-Key`.
public struct StoredResponse: Sendable, Codable, Equatable {
    public let status: Int
    public let headers: [String: String]
    public let body: String

    public init(status: Int, headers: [String: String], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum IdempotencyClaim: Sendable, Equatable {
    /// First use of the key: the caller runs the request, then completes the claim.
    case claimed(id: UUID)
    /// The key was used with the same request and finished: replay this response.
    case replay(StoredResponse)
    /// The key was used with a different request body or route.
    case mismatch
    /// The first request with this key is still running.
    case inProgress
}

public struct IdempotencyRepository: Sendable {
    package let database: Database
    public init(database: Database) { self.database = database }

    public func claim(
        accountId: UUID, actorId: String, key: String, method: String, path: String, requestHash: String,
        now: Date, ttl: TimeInterval
    ) async throws -> IdempotencyClaim {
        let id = UUID.v7()
        do {
            try await database.execute(
                """
                INSERT INTO idempotency_keys (id, account_id, actor_id, key, method, path, request_hash, state, created_at, expires_at)
                VALUES (\(bind: id), \(bind: accountId), \(bind: actorId), \(bind: key), \(bind: method), \(bind: path),
                        \(bind: requestHash), 'in_progress', \(bind: now), \(bind: now.addingTimeInterval(ttl)))
                """)
            return .claimed(id: id)
        } catch  where database.isUniqueViolation(error) {
            guard
                let row = try await database.first(
                    """
                    SELECT * FROM idempotency_keys WHERE account_id = \(bind: accountId) AND actor_id = \(bind: actorId) AND key = \(bind: key)
                    """)
            else { return .inProgress }
            let expiresAt: Date = try row.get("expires_at")
            if expiresAt < now {
                // An expired key is free again.
                try await database.execute("DELETE FROM idempotency_keys WHERE id = \(bind: try row.get("id", as: UUID.self))")
                return try await claim(
                    accountId: accountId, actorId: actorId, key: key, method: method, path: path,
                    requestHash: requestHash, now: now, ttl: ttl)
            }
            let storedHash: String = try row.get("request_hash")
            let storedMethod: String = try row.get("method")
            let storedPath: String = try row.get("path")
            guard storedHash == requestHash, storedMethod == method, storedPath == path else { return .mismatch }
            guard try row.get("state", as: String.self) == "completed" else { return .inProgress }
            return .replay(
                StoredResponse(
                    status: try row.get("response_status"), headers: try row.jsonValue("response_headers"),
                    body: try row.get("response_body")))
        }
    }

    public func complete(id: UUID, response: StoredResponse) async throws {
        try await database.execute(
            """
            UPDATE idempotency_keys SET state = 'completed', response_status = \(bind: response.status),
                   response_headers = \(json: jsonText(response.headers)), response_body = \(bind: response.body)
            WHERE id = \(bind: id)
            """)
    }

    /// Forgets a claim whose request failed before producing a response worth replaying.
    public func release(id: UUID) async throws {
        try await database.execute("DELETE FROM idempotency_keys WHERE id = \(bind: id)")
    }

    public func prune(now: Date) async throws {
        try await database.execute("DELETE FROM idempotency_keys WHERE expires_at < \(bind: now)")
    }
}
