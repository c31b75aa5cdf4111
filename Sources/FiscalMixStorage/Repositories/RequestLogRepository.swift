import Foundation
import SQLKit

/// Seed 002 RequestLog: one row per API call (inbound) or outside call (outbound).
public struct RequestLogEntry: Sendable, Codable, Equatable {
    public var id: UUID
    public var accountId: UUID?
    public var requestId: String
    public var traceId: String?
    public var actorType: String?
    public var actorId: String?
    public var connectorId: UUID?
    public var direction: String
    public var method: String?
    public var path: String?
    public var operation: String
    public var status: String
    public var httpStatus: Int?
    public var latencyMs: Int
    public var retryCount: Int
    public var idempotencyKey: String?
    public var ip: String?
    public var createdAt: Date

    public init(id: UUID, accountId: UUID?, requestId: String, traceId: String?, actorType: String?, actorId: String?,
                connectorId: UUID? = nil, direction: String = "inbound", method: String?, path: String?, operation: String,
                status: String, httpStatus: Int?, latencyMs: Int, retryCount: Int = 0, idempotencyKey: String?, ip: String?,
                createdAt: Date) {
        self.id = id
        self.accountId = accountId
        self.requestId = requestId
        self.traceId = traceId
        self.actorType = actorType
        self.actorId = actorId
        self.connectorId = connectorId
        self.direction = direction
        self.method = method
        self.path = path
        self.operation = operation
        self.status = status
        self.httpStatus = httpStatus
        self.latencyMs = latencyMs
        self.retryCount = retryCount
        self.idempotencyKey = idempotencyKey
        self.ip = ip
        self.createdAt = createdAt
    }

    /// Maps an HTTP status to the row's status column.
    public static func status(forHTTP code: Int) -> String {
        switch code {
        case ..<400: "ok"
        case 400..<500: "client_error"
        default: "server_error"
        }
    }
}

public struct RequestLogRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Writes a batch as multi-row INSERTs (500 rows per statement). A request id seen twice for
    /// one account keeps the first row (the seed's unique (tenant_id, request_id)).
    public func insert(_ entries: [RequestLogEntry]) async throws {
        var start = 0
        while start < entries.count {
            let chunk = entries[start..<min(start + 500, entries.count)]
            start += chunk.count
            var sql: SQLQueryString = """
                INSERT INTO request_logs (id, account_id, request_id, trace_id, actor_type, actor_id, connector_id, direction, method,
                                          path, operation, status, http_status, latency_ms, retry_count, idempotency_key, ip, created_at)
                VALUES
                """
            for (index, e) in chunk.enumerated() {
                sql += """
                    \(unsafeRaw: index == 0 ? "" : ",")(\(bind: e.id), \(bind: e.accountId), \(bind: e.requestId), \(bind: e.traceId),
                    \(bind: e.actorType), \(bind: e.actorId), \(bind: e.connectorId), \(bind: e.direction), \(bind: e.method), \(bind: e.path),
                    \(bind: e.operation), \(bind: e.status), \(bind: e.httpStatus), \(bind: e.latencyMs), \(bind: e.retryCount),
                    \(bind: e.idempotencyKey), \(bind: e.ip), \(bind: e.createdAt))
                    """
            }
            sql += " ON CONFLICT (account_id, request_id) DO NOTHING"
            try await database.execute(sql)
        }
    }

    public func list(accountId: UUID, page: PageRequest) async throws -> Page<RequestLogEntry> {
        try await database.page("SELECT * FROM request_logs WHERE account_id = \(bind: accountId)", page, decode: Self.decode, id: \.id)
    }

    static func decode(_ row: any SQLRow) throws -> RequestLogEntry {
        RequestLogEntry(id: try row.get("id"), accountId: try row.get("account_id"), requestId: try row.get("request_id"),
                        traceId: try row.get("trace_id"), actorType: try row.get("actor_type"), actorId: try row.get("actor_id"),
                        connectorId: try row.get("connector_id"), direction: try row.get("direction"), method: try row.get("method"),
                        path: try row.get("path"), operation: try row.get("operation"), status: try row.get("status"),
                        httpStatus: try row.get("http_status"), latencyMs: try row.get("latency_ms"), retryCount: try row.get("retry_count"),
                        idempotencyKey: try row.get("idempotency_key"), ip: try row.get("ip"), createdAt: try row.get("created_at"))
    }
}
