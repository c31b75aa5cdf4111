public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `fiscal_documents` rows: one per company and access key. A summary is replaced by the full
/// document; the full document is never replaced by a summary.
public struct FiscalDocumentRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// What is held already for these access keys: key → is_summary.
    public func held(companyId: UUID, accessKeys: [String]) async throws -> [String: Bool] {
        guard !accessKeys.isEmpty else { return [:] }
        let sql: SQLQueryString = """
            SELECT access_key, is_summary FROM fiscal_documents WHERE company_id = \(bind: companyId) AND access_key IN (\(binds: accessKeys))
            """
        var held: [String: Bool] = [:]
        for row in try await database.query(sql) { held[try row.get("access_key")] = try row.get("is_summary") }
        return held
    }

    /// Inserts the documents, or upgrades held summaries to them, in one statement. Returns the
    /// id of every row written, by access key; a document at least as complete as the one given
    /// is left alone and not returned. Events that arrived first are linked, and a registered
    /// cancellation wins over the status a document carries (`reconcile`).
    public func upsert(_ documents: [FiscalDocumentRecord], in tx: Transaction) async throws -> [String: UUID] {
        guard !documents.isEmpty else { return [:] }
        var sql: SQLQueryString = """
            INSERT INTO fiscal_documents (id, account_id, company_id, sync_run_id, doc_type, direction, access_key, nsu, schema, number, series,
                issue_date, issuer_cnpj_cpf, issuer_name, recipient_cnpj_cpf, recipient_name, total_value, status, is_summary, protocol,
                storage_xml_path, hash_sha256, created_at, updated_at) VALUES
            """
        for (index, d) in documents.enumerated() {
            if index > 0 { sql += ", " }
            sql += """
                (\(bind: d.id), \(bind: d.accountId), \(bind: d.companyId), \(bind: d.syncRunId), \(bind: d.docType.rawValue),
                \(bind: d.direction.rawValue), \(bind: d.accessKey), \(bind: d.nsu), \(bind: d.schema), \(bind: d.number), \(bind: d.series),
                \(bind: d.issueDate), \(bind: d.issuerCnpjCpf), \(bind: d.issuerName), \(bind: d.recipientCnpjCpf), \(bind: d.recipientName),
                \(SQLCastBind.decimal(d.totalValue.text)), \(bind: d.status), \(bind: d.isSummary), \(bind: d.protocolNumber),
                \(bind: d.storageXMLPath), \(bind: d.hashSHA256), \(bind: d.createdAt), \(bind: d.updatedAt))
                """
        }
        sql += """
             ON CONFLICT (company_id, access_key) DO UPDATE SET
                sync_run_id = excluded.sync_run_id, nsu = excluded.nsu, schema = excluded.schema, number = excluded.number,
                series = excluded.series, issue_date = excluded.issue_date, issuer_cnpj_cpf = excluded.issuer_cnpj_cpf,
                issuer_name = excluded.issuer_name, recipient_cnpj_cpf = excluded.recipient_cnpj_cpf,
                recipient_name = excluded.recipient_name, total_value = excluded.total_value,
                status = CASE WHEN fiscal_documents.status = 'cancelled' THEN 'cancelled' ELSE excluded.status END,
                is_summary = excluded.is_summary, protocol = COALESCE(excluded.protocol, fiscal_documents.protocol),
                storage_xml_path = excluded.storage_xml_path, hash_sha256 = excluded.hash_sha256, updated_at = excluded.updated_at
            WHERE fiscal_documents.is_summary = \(bind: true) AND excluded.is_summary = \(bind: false)
            RETURNING id, access_key
            """
        var written: [String: UUID] = [:]
        for row in try await tx.query(sql) { written[try row.get("access_key")] = try row.get("id") }
        return written
    }

    /// After documents or events of `companyId` with these keys were written: events point at
    /// their documents, and documents with a registered cancellation are cancelled.
    public func reconcile(companyId: UUID, accessKeys: [String], now: Date, in tx: Transaction) async throws {
        guard !accessKeys.isEmpty else { return }
        let keys = Set(accessKeys).sorted()
        try await tx.execute(
            """
            UPDATE fiscal_events SET fiscal_document_id = (SELECT d.id FROM fiscal_documents d
              WHERE d.company_id = fiscal_events.company_id AND d.access_key = fiscal_events.access_key)
            WHERE company_id = \(bind: companyId) AND fiscal_document_id IS NULL AND access_key IN (\(binds: keys))
            """)
        try await tx.execute(
            """
            UPDATE fiscal_documents SET status = 'cancelled', updated_at = \(bind: now)
            WHERE company_id = \(bind: companyId) AND status <> 'cancelled' AND EXISTS (SELECT 1 FROM fiscal_events e
              WHERE e.company_id = fiscal_documents.company_id AND e.access_key = fiscal_documents.access_key
                AND e.event_code IN ('110111', '110112')) AND access_key IN (\(binds: keys))
            """)
    }

    public func find(id: UUID, accountId: UUID) async throws -> FiscalDocumentRecord? {
        try await database.first(
            """
            SELECT *, CAST(total_value AS TEXT) AS total_value_text FROM fiscal_documents WHERE id = \(bind: id) AND account_id = \(bind: accountId)
            """
        ).map(Self.decode)
    }

    /// For jobs, which run outside any account's request.
    public func find(id: UUID) async throws -> FiscalDocumentRecord? {
        try await database.first("SELECT *, CAST(total_value AS TEXT) AS total_value_text FROM fiscal_documents WHERE id = \(bind: id)").map(
            Self.decode)
    }

    public func count(companyId: UUID) async throws -> Int {
        try await database.first("SELECT COUNT(*) AS n FROM fiscal_documents WHERE company_id = \(bind: companyId)")!.get("n")
    }

    /// One page of documents matching `filter`, by issue date (newest first unless `ascending`).
    public func list(
        accountId: UUID, filter: FiscalDocumentFilter, onlyCompanies visible: [UUID]?, limit: Int,
        after cursor: FiscalDocumentCursor?
    ) async throws -> (items: [FiscalDocumentRecord], next: FiscalDocumentCursor?) {
        let dialect = database.dialect
        var sql: SQLQueryString =
            "SELECT d.*, CAST(d.total_value AS TEXT) AS total_value_text FROM fiscal_documents d WHERE d.account_id = \(bind: accountId)"
        if let visible {
            sql += visible.isEmpty ? " AND 1 = 0" : " AND d.company_id IN (\(binds: visible))"
        }
        if let v = filter.companyId { sql += " AND d.company_id = \(bind: v)" }
        if let v = filter.docType { sql += " AND d.doc_type = \(bind: v.rawValue)" }
        if let v = filter.direction { sql += " AND d.direction = \(bind: v.rawValue)" }
        if let v = filter.status { sql += " AND d.status = \(bind: v)" }
        if let v = filter.issuedFrom { sql += " AND d.issue_date >= \(bind: v)" }
        if let v = filter.issuedBefore { sql += " AND d.issue_date < \(bind: v)" }
        if let v = filter.issuer { sql += " AND d.issuer_cnpj_cpf = \(bind: v)" }
        if let v = filter.recipient { sql += " AND d.recipient_cnpj_cpf = \(bind: v)" }
        if let v = filter.minValue {
            sql += " AND \(unsafeRaw: dialect.numeric("d.total_value")) >= "
            sql += dialect.numericBind(v.text)
        }
        if let v = filter.maxValue {
            sql += " AND \(unsafeRaw: dialect.numeric("d.total_value")) <= "
            sql += dialect.numericBind(v.text)
        }
        if let v = filter.summary { sql += " AND d.is_summary = \(bind: v)" }
        if let text = filter.text?.lowercased(), !text.isEmpty {
            let pattern =
                "%"
                + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            sql += " AND (LOWER(d.issuer_name) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(d.recipient_name) LIKE \(bind: pattern) ESCAPE '\\')"
        }
        let order = filter.ascending ? "ASC" : "DESC"
        let comparison = filter.ascending ? ">" : "<"
        if let cursor {
            sql +=
                " AND (d.issue_date \(unsafeRaw: comparison) \(bind: cursor.issueDate) OR (d.issue_date = \(bind: cursor.issueDate) AND d.id \(unsafeRaw: comparison) \(bind: cursor.id)))"
        }
        sql += " ORDER BY d.issue_date \(unsafeRaw: order), d.id \(unsafeRaw: order) LIMIT \(bind: limit + 1)"
        let rows = try await database.query(sql).map(Self.decode)
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (items, items.last.map { FiscalDocumentCursor(issueDate: $0.issueDate, id: $0.id) })
    }

    static func decode(_ row: any SQLRow) throws -> FiscalDocumentRecord {
        let amountText: String = try row.get("total_value_text")
        guard let amount = DecimalAmount(amountText) else { throw StorageError.corruptRow("total_value '\(amountText)' is not a decimal") }
        return FiscalDocumentRecord(
            id: try row.get("id"), accountId: try row.get("account_id"), companyId: try row.get("company_id"),
            syncRunId: try row.get("sync_run_id"), docType: try row.enumValue("doc_type"), direction: try row.enumValue("direction"),
            accessKey: try row.get("access_key"), nsu: try row.get("nsu"), schema: try row.get("schema"), number: try row.get("number"),
            series: try row.get("series"), issueDate: try row.get("issue_date"), issuerCnpjCpf: try row.get("issuer_cnpj_cpf"),
            issuerName: try row.get("issuer_name"), recipientCnpjCpf: try row.get("recipient_cnpj_cpf"),
            recipientName: try row.get("recipient_name"), totalValue: amount, status: try row.get("status"),
            isSummary: try row.get("is_summary"), protocolNumber: try row.get("protocol"), storageXMLPath: try row.get("storage_xml_path"),
            hashSHA256: try row.get("hash_sha256"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}

/// What a document list may be narrowed by.
public struct FiscalDocumentFilter: Sendable {
    public var companyId: UUID?
    public var docType: FiscalDocType?
    public var direction: FiscalDocumentRecord.Direction?
    public var status: String?
    public var issuedFrom: Date?
    public var issuedBefore: Date?
    public var issuer: String?
    public var recipient: String?
    public var minValue: DecimalAmount?
    public var maxValue: DecimalAmount?
    public var summary: Bool?
    /// Matched, case-insensitively, inside the issuer's and recipient's names.
    public var text: String?
    public var ascending = false
    public init() {}
}

/// The keyset position after the last document of a page: its issue date and id.
public struct FiscalDocumentCursor: Sendable, Equatable {
    public var issueDate: Date
    public var id: UUID
    public init(issueDate: Date, id: UUID) {
        self.issueDate = issueDate
        self.id = id
    }

    /// Opaque text: base64url of "<microseconds since 1970>|<id>".
    public var encoded: String {
        Cursor.encode(text: "\(Int64((issueDate.timeIntervalSince1970 * 1_000_000).rounded()))|\(id.uuidString.lowercased())")
    }

    public init?(encoded: String) {
        guard let parts = Cursor.decodeText(encoded)?.split(separator: "|") else { return nil }
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(issueDate: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }
}
