public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `sync_runs` rows and the `sync_cursors` they advance.
public struct SyncRunRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Inserts a pending run; a unique violation means another run of the same company and
    /// document type is pending or running (`uq_sync_runs_active`).
    public func insert(_ r: SyncRun, environment: Int, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO sync_runs (id, company_id, account_id, doc_type, job_id, started_at, scheduled_for, waiting_reason, status, environment,
                                   docs_found, docs_saved, events_saved, created_at, updated_at)
            VALUES (\(bind: r.id), \(bind: r.companyId), \(bind: r.accountId), \(bind: r.docType.rawValue), \(bind: r.jobId),
                    \(bind: r.startedAt ?? r.createdAt), \(bind: r.scheduledFor), \(bind: r.waitingReason), \(bind: r.status.rawValue),
                    \(bind: environment), 0, 0, 0, \(bind: r.createdAt), \(bind: r.updatedAt))
            """)
    }

    public func setJob(id: UUID, jobId: UUID, in tx: Transaction) async throws {
        try await tx.execute("UPDATE sync_runs SET job_id = \(bind: jobId) WHERE id = \(bind: id)")
    }

    public func find(id: UUID, accountId: UUID) async throws -> SyncRun? {
        try await database.first("SELECT * FROM sync_runs WHERE id = \(bind: id) AND account_id = \(bind: accountId)").map(Self.decode)
    }

    /// For the job, which runs outside any account's request.
    public func find(id: UUID) async throws -> SyncRun? {
        try await database.first("SELECT * FROM sync_runs WHERE id = \(bind: id)").map(Self.decode)
    }

    public func active(companyId: UUID, docType: FiscalDocType) async throws -> SyncRun? {
        try await database.first(
            """
            SELECT * FROM sync_runs WHERE company_id = \(bind: companyId) AND doc_type = \(bind: docType.rawValue) AND status IN ('pending', 'running')
            """
        ).map(Self.decode)
    }

    public func latest(companyId: UUID, docType: FiscalDocType) async throws -> SyncRun? {
        try await database.first(
            """
            SELECT * FROM sync_runs WHERE company_id = \(bind: companyId) AND doc_type = \(bind: docType.rawValue)
            ORDER BY created_at DESC LIMIT 1
            """
        ).map(Self.decode)
    }

    public func list(companyId: UUID, accountId: UUID, page: PageRequest) async throws -> Page<SyncRun> {
        try await database.page(
            "SELECT * FROM sync_runs WHERE company_id = \(bind: companyId) AND account_id = \(bind: accountId)", page,
            decode: Self.decode, id: \.id)
    }

    public func markRunning(id: UUID, nsuStart: Int64, now: Date) async throws {
        try await database.execute(
            """
            UPDATE sync_runs SET started_at = CASE WHEN status = 'pending' THEN \(bind: now) ELSE started_at END,
                status = 'running', waiting_reason = NULL, nsu_start = COALESCE(nsu_start, \(bind: nsuStart)), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND status IN ('pending', 'running')
            """)
    }

    /// The company's finished runs of a type, newest first: how many failed in a row, and when
    /// the last of them ended.
    public func consecutiveFailures(companyId: UUID, docType: FiscalDocType) async throws -> (count: Int, lastFinishedAt: Date?, failure: String?) {
        let rows = try await database.query(
            """
            SELECT status, finished_at, failure FROM sync_runs
            WHERE company_id = \(bind: companyId) AND doc_type = \(bind: docType.rawValue) AND status IN ('completed', 'failed')
            ORDER BY created_at DESC LIMIT 16
            """)
        var count = 0
        for row in rows {
            guard try row.get("status", as: String.self) == "failed" else { break }
            count += 1
        }
        guard count > 0, let last = rows.first else { return (0, nil, nil) }
        return (count, try last.get("finished_at"), try last.get("failure"))
    }

    /// Adds one committed batch to the run's counters, in the batch's transaction.
    public func recordBatch(
        id: UUID, found: Int, saved: Int, events: Int, nsuEnd: Int64, maxNSU: Int64, statusCode: Int,
        problems: [SyncRun.Problem], now: Date, in tx: Transaction
    ) async throws {
        var merged: [SyncRun.Problem] = []
        if !problems.isEmpty, let row = try await tx.first("SELECT error_summary FROM sync_runs WHERE id = \(bind: id)"),
            let text: String = try row.get("error_summary")
        {
            merged = (try? JSONDecoder().decode([SyncRun.Problem].self, from: Data(text.utf8))) ?? []
        }
        merged += problems
        var sql: SQLQueryString = """
            UPDATE sync_runs SET docs_found = docs_found + \(bind: found), docs_saved = docs_saved + \(bind: saved),
                events_saved = events_saved + \(bind: events), nsu_end = \(bind: nsuEnd), max_nsu = \(bind: maxNSU),
                last_status_code = \(bind: statusCode), updated_at = \(bind: now)
            """
        if !problems.isEmpty { sql += ", error_summary = \(json: jsonText(merged))" }
        sql += " WHERE id = \(bind: id)"
        try await tx.execute(sql)
    }

    public func finish(id: UUID, status: SyncRun.Status, statusCode: Int?, failure: String?, now: Date) async throws {
        try await database.execute(
            """
            UPDATE sync_runs SET status = \(bind: status.rawValue), last_status_code = COALESCE(\(bind: statusCode), last_status_code),
                failure = \(bind: failure), finished_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: id)
            """)
    }

    // MARK: - Cursors

    public func cursor(companyId: UUID, docType: FiscalDocType, environment: Int) async throws -> SyncCursor {
        guard
            let row = try await database.first(
                """
                SELECT * FROM sync_cursors WHERE company_id = \(bind: companyId) AND doc_type = \(bind: docType.rawValue)
                  AND environment = \(bind: environment)
                """)
        else { return SyncCursor(companyId: companyId, docType: docType, environment: environment) }
        return SyncCursor(
            companyId: companyId, docType: docType, environment: environment, lastNSU: try row.get("last_nsu"),
            maxNSU: try row.get("max_nsu"), nextAllowedAt: try row.get("next_allowed_at"))
    }

    public func save(_ c: SyncCursor, now: Date, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO sync_cursors (company_id, doc_type, environment, last_nsu, max_nsu, next_allowed_at, created_at, updated_at)
            VALUES (\(bind: c.companyId), \(bind: c.docType.rawValue), \(bind: c.environment), \(bind: c.lastNSU), \(bind: c.maxNSU),
                    \(bind: c.nextAllowedAt), \(bind: now), \(bind: now))
            ON CONFLICT (company_id, doc_type, environment) DO UPDATE SET last_nsu = excluded.last_nsu, max_nsu = excluded.max_nsu,
                next_allowed_at = excluded.next_allowed_at, updated_at = excluded.updated_at
            """)
    }

    static func decode(_ row: any SQLRow) throws -> SyncRun {
        let summary: String? = try row.get("error_summary")
        let problems = summary.flatMap { try? JSONDecoder().decode([SyncRun.Problem].self, from: Data($0.utf8)) } ?? []
        let status: SyncRun.Status = try row.enumValue("status")
        return SyncRun(
            id: try row.get("id"), accountId: try row.get("account_id"), companyId: try row.get("company_id"), docType: try row.enumValue("doc_type"),
            jobId: try row.get("job_id"), status: status, startedAt: status == .pending ? nil : try row.get("started_at"),
            scheduledFor: try row.get("scheduled_for"), waitingReason: try row.get("waiting_reason"),
            finishedAt: try row.get("finished_at"), nsuStart: try row.get("nsu_start"), nsuEnd: try row.get("nsu_end"),
            maxNSU: try row.get("max_nsu"), docsFound: try row.get("docs_found"), docsSaved: try row.get("docs_saved"),
            eventsSaved: try row.get("events_saved"), problems: problems, failure: try row.get("failure"),
            lastStatusCode: try row.get("last_status_code"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
