public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `fiscal_events` rows: one per company, access key, event code and sequence; a summary
/// (resEvento) is replaced by the full registered event, never the reverse.
public struct FiscalEventRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// Inserts the event (linked to its document when the document is held) or upgrades a held
    /// summary. Returns true when the row was written.
    public func upsert(_ e: FiscalEventRecord, syncRunId: UUID?, in tx: Transaction) async throws -> Bool {
        try await upsert([e], syncRunId: syncRunId, in: tx) == 1
    }

    /// The same for several events (distinct key, code and sequence) in one statement; returns
    /// how many rows were written.
    public func upsert(_ events: [FiscalEventRecord], syncRunId: UUID?, in tx: Transaction) async throws -> Int {
        try await upsertReturning(events, syncRunId: syncRunId, in: tx).count
    }

    /// A row written by `upsert`: its id and the document it is attached to, if that is held.
    public struct Written: Sendable {
        public let id: UUID
        public let accessKey: String
        public let eventCode: String
        public let sequence: Int
        public let documentId: UUID?
    }

    /// As `upsert`, answering the rows written.
    public func upsertReturning(_ events: [FiscalEventRecord], syncRunId: UUID?, in tx: Transaction) async throws -> [Written] {
        guard !events.isEmpty else { return [] }
        var sql: SQLQueryString = """
            INSERT INTO fiscal_events (id, account_id, company_id, fiscal_document_id, sync_run_id, access_key, event_type, event_code, sequence,
                event_date, protocol, description, author_cnpj_cpf, is_summary, storage_xml_path, hash_sha256, nsu, created_at, updated_at) VALUES
            """
        for (index, e) in events.enumerated() {
            if index > 0 { sql += ", " }
            sql += """
                (\(bind: e.id), \(bind: e.accountId), \(bind: e.companyId),
                (SELECT id FROM fiscal_documents WHERE company_id = \(bind: e.companyId) AND access_key = \(bind: e.accessKey)),
                \(bind: syncRunId), \(bind: e.accessKey), \(bind: e.eventType), \(bind: e.eventCode), \(bind: e.sequence), \(bind: e.eventDate),
                \(bind: e.protocolNumber), \(bind: e.description), \(bind: e.authorCnpjCpf), \(bind: e.isSummary), \(bind: e.storageXMLPath),
                \(bind: e.hashSHA256), \(bind: e.nsu), \(bind: e.createdAt), \(bind: e.createdAt))
                """
        }
        sql += """
             ON CONFLICT (company_id, access_key, event_code, sequence) DO UPDATE SET
                protocol = COALESCE(excluded.protocol, fiscal_events.protocol), description = excluded.description,
                author_cnpj_cpf = excluded.author_cnpj_cpf, is_summary = excluded.is_summary, storage_xml_path = excluded.storage_xml_path,
                hash_sha256 = excluded.hash_sha256, nsu = excluded.nsu, sync_run_id = excluded.sync_run_id, updated_at = excluded.updated_at
            WHERE fiscal_events.is_summary = \(bind: true) AND excluded.is_summary = \(bind: false)
            RETURNING id, access_key, event_code, sequence, fiscal_document_id
            """
        return try await tx.query(sql).map { row in
            Written(
                id: try row.get("id"), accessKey: try row.get("access_key"), eventCode: try row.get("event_code"),
                sequence: try row.get("sequence"), documentId: try row.get("fiscal_document_id"))
        }
    }

    /// What is held already: "key|code|sequence" → is_summary.
    public func held(companyId: UUID, accessKeys: [String]) async throws -> [String: Bool] {
        guard !accessKeys.isEmpty else { return [:] }
        let sql: SQLQueryString = """
            SELECT access_key, event_code, sequence, is_summary FROM fiscal_events
            WHERE company_id = \(bind: companyId) AND access_key IN (\(binds: Set(accessKeys).sorted()))
            """
        var held: [String: Bool] = [:]
        for row in try await database.query(sql) {
            let key: String = try row.get("access_key"), code: String = try row.get("event_code"), sequence: Int = try row.get("sequence")
            held["\(key)|\(code)|\(sequence)"] = try row.get("is_summary")
        }
        return held
    }

    public func list(documentId: UUID, accountId: UUID) async throws -> [FiscalEventRecord] {
        try await database.query(
            """
            SELECT * FROM fiscal_events WHERE fiscal_document_id = \(bind: documentId) AND account_id = \(bind: accountId)
            ORDER BY event_date, event_code, sequence
            """
        ).map(Self.decode)
    }

    /// Events of the account, newest stored first, whether or not their document is held.
    public func list(accountId: UUID, filter: FiscalEventFilter, onlyCompanies visible: [UUID]?, page: PageRequest) async throws -> Page<
        FiscalEventRecord
    > {
        var sql: SQLQueryString = "SELECT * FROM fiscal_events WHERE account_id = \(bind: accountId)"
        if let visible { sql += visible.isEmpty ? " AND 1 = 0" : " AND company_id IN (\(binds: visible))" }
        if let v = filter.companyId { sql += " AND company_id = \(bind: v)" }
        if let v = filter.accessKey { sql += " AND access_key = \(bind: v)" }
        if let v = filter.eventCode { sql += " AND event_code = \(bind: v)" }
        if let v = filter.from { sql += " AND event_date >= \(bind: v)" }
        if let v = filter.before { sql += " AND event_date < \(bind: v)" }
        if let attached = filter.attached { sql += attached ? " AND fiscal_document_id IS NOT NULL" : " AND fiscal_document_id IS NULL" }
        return try await database.page(sql, page, decode: Self.decode, id: \.id)
    }

    public func count(companyId: UUID) async throws -> Int {
        try await database.first("SELECT COUNT(*) AS n FROM fiscal_events WHERE company_id = \(bind: companyId)")!.get("n")
    }

    static func decode(_ row: any SQLRow) throws -> FiscalEventRecord {
        FiscalEventRecord(
            id: try row.get("id"), accountId: try row.get("account_id"), companyId: try row.get("company_id"),
            documentId: try row.get("fiscal_document_id"), accessKey: try row.get("access_key"), eventType: try row.get("event_type"),
            eventCode: try row.get("event_code"), sequence: try row.get("sequence"), eventDate: try row.get("event_date"),
            protocolNumber: try row.get("protocol"), description: try row.get("description"), authorCnpjCpf: try row.get("author_cnpj_cpf"),
            isSummary: try row.get("is_summary"), nsu: try row.get("nsu"), storageXMLPath: try row.get("storage_xml_path"),
            hashSHA256: try row.get("hash_sha256"), createdAt: try row.get("created_at"))
    }
}

/// `GET /v1/fiscal-events` filters.
public struct FiscalEventFilter: Sendable {
    public var companyId: UUID?
    public var accessKey: String?
    /// tpEvento, e.g. `210210` (ciência) or `110111` (cancelamento).
    public var eventCode: String?
    public var from: Date?
    public var before: Date?
    /// Whether the event's document is held (nil: either).
    public var attached: Bool?
    public init() {}
}
