public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// One audit row: `audit_logs`, `audits` and `OperatorAuditLog` in one table (docs/data-model.md).
public struct AuditEntry: Sendable, Codable, Equatable {
    public enum ActorType: String, Sendable, Codable { case user, apiKey = "api_key", `operator`, system, anonymous }
    public enum Status: String, Sendable, Codable { case success, failure }

    public var id: UUID
    public var accountId: UUID?
    public var actorType: ActorType
    public var userId: UUID?
    public var apiKeyId: UUID?
    public var sessionId: UUID?
    public var action: String
    public var status: Status
    public var entityType: String?
    public var entityId: String?
    /// Extra facts; never secrets (callers pass only ids, names and outcomes).
    public var metadata: [String: String]
    /// Before/after of changed fields, for operator and role changes.
    public var diff: [String: [String: String]]?
    public var reason: String?
    public var ipAddress: String?
    public var userAgent: String?
    public var requestId: String?
    public var traceId: String?
    public var createdAt: Date

    public init(
        id: UUID = ID.make(), accountId: UUID?, actorType: ActorType, userId: UUID? = nil, apiKeyId: UUID? = nil,
        sessionId: UUID? = nil, action: String, status: Status = .success, entityType: String? = nil, entityId: String? = nil,
        metadata: [String: String] = [:], diff: [String: [String: String]]? = nil, reason: String? = nil,
        ipAddress: String? = nil, userAgent: String? = nil, requestId: String? = nil, traceId: String? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.actorType = actorType
        self.userId = userId
        self.apiKeyId = apiKeyId
        self.sessionId = sessionId
        self.action = action
        self.status = status
        self.entityType = entityType
        self.entityId = entityId
        self.metadata = metadata
        self.diff = diff
        self.reason = reason
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.requestId = requestId
        self.traceId = traceId
        self.createdAt = createdAt
    }
}

public struct AuditFilter: Sendable {
    public var action: String?
    public var actorType: AuditEntry.ActorType?
    public init(action: String? = nil, actorType: AuditEntry.ActorType? = nil) {
        self.action = action
        self.actorType = actorType
    }
}

public struct AuditRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    public func insert(_ e: AuditEntry) async throws {
        try await database.execute(Self.insertSQL(e))
    }

    public func insert(_ e: AuditEntry, in tx: Transaction) async throws {
        try await tx.execute(Self.insertSQL(e))
    }

    static func insertSQL(_ e: AuditEntry) -> SQLQueryString {
        """
        INSERT INTO audit_logs (id, account_id, actor_type, user_id, api_key_id, session_id, action, status, entity_type, entity_id,
                                metadata, diff, reason, ip_address, user_agent, request_id, trace_id, created_at)
        VALUES (\(bind: e.id), \(bind: e.accountId), \(bind: e.actorType.rawValue), \(bind: e.userId), \(bind: e.apiKeyId),
                \(bind: e.sessionId), \(bind: e.action), \(bind: e.status.rawValue), \(bind: e.entityType), \(bind: e.entityId),
                \(json: jsonText(e.metadata)), \(json: e.diff.map { jsonText($0) }), \(bind: e.reason), \(bind: e.ipAddress),
                \(bind: e.userAgent), \(bind: e.requestId), \(bind: e.traceId), \(bind: e.createdAt))
        """
    }

    public func list(accountId: UUID, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        var sql: SQLQueryString = "SELECT * FROM audit_logs WHERE account_id = \(bind: accountId)"
        if let action = filter.action { sql += " AND action = \(bind: action)" }
        if let actorType = filter.actorType { sql += " AND actor_type = \(bind: actorType.rawValue)" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    /// Operator rows across every account, for staff review.
    public func listOperatorActions(page: PageRequest) async throws -> Page<AuditEntry> {
        try await database.page("SELECT * FROM audit_logs WHERE actor_type = 'operator'", page, decode: Self.decode, id: \.id)
    }

    static func decode(_ row: any SQLRow) throws -> AuditEntry {
        let diffText: String? = try row.get("diff")
        let diff = try diffText.map { try JSONDecoder().decode([String: [String: String]].self, from: Data($0.utf8)) }
        return AuditEntry(
            id: try row.get("id"), accountId: try row.get("account_id"), actorType: try row.enumValue("actor_type"),
            userId: try row.get("user_id"), apiKeyId: try row.get("api_key_id"), sessionId: try row.get("session_id"),
            action: try row.get("action"), status: try row.enumValue("status"), entityType: try row.get("entity_type"),
            entityId: try row.get("entity_id"), metadata: try row.jsonValue("metadata"), diff: diff, reason: try row.get("reason"),
            ipAddress: try row.get("ip_address"), userAgent: try row.get("user_agent"), requestId: try row.get("request_id"),
            traceId: try row.get("trace_id"), createdAt: try row.get("created_at"))
    }
}
