import FiscalMixCore
import FiscalMixDatabase

/// DF-e sync (flow 3.2), beyond docs/data-model.md's columns:
/// - `sync_cursors`: the committed `ultNSU`, `maxNSU` and `next_allowed_at` per company, document
///   type and environment (docs/sefaz.md, "Distribution": persisted with each batch, so a restart can neither
///   skip nor repeat a range, nor ask the AN again inside its hour);
/// - `fiscal_documents.is_summary` and `protocol` (a resNFe row is upgraded by the procNFe);
/// - `fiscal_events` rebuilt so an event can be stored before its document arrives: linked by
///   company and access key, the document id filled in when the document arrives;
/// - `sync_runs` gains its environment, the last cStat and a failure text, and at most one
///   pending or running run per company and document type.
let fiscalEventsV8 = Table(
    "fiscal_events", unique: [["company_id", "access_key", "event_code", "sequence"]],
    [
        [
            id(),
            uuid("account_id").references("accounts", onDelete: .cascade),
            uuid("company_id").references("companies", onDelete: .cascade),
            uuid("fiscal_document_id").null().references("fiscal_documents", onDelete: .setNull),
            uuid("sync_run_id").null().references("sync_runs", onDelete: .setNull),
            varchar("access_key", 44).check("length($) = 44"),
            varchar("event_type", 50),
            varchar("event_code", 6),
            integer("sequence").defaulting(.int(1)),
            timestamp("event_date"),
            varchar("protocol", 50).null(),
            varchar("description", 255).null(),
            varchar("author_cnpj_cpf", 14).null(),
            boolean("is_summary").defaulting(.bool(false)),
            varchar("storage_xml_path", 500).null(),
            varchar("hash_sha256", 64).null(),
            bigint("nsu").null(),
        ],
        timestamps(),
    ])

let migration008Sync = Migration(
    8, "dfe_sync",
    tables: [
        Table(
            "sync_cursors", primaryKey: ["company_id", "doc_type", "environment"],
            [
                [
                    uuid("company_id").references("companies", onDelete: .cascade),
                    varchar("doc_type", 10).oneOf(FiscalDocType.allCases.map(\.rawValue)),
                    integer("environment").check("$ IN (1, 2)"),
                    bigint("last_nsu").defaulting(.int(0)),
                    bigint("max_nsu").defaulting(.int(0)),
                    timestamp("next_allowed_at").null(),
                ],
                timestamps(),
            ])
    ],
    indexes: [
        Index("uq_sync_runs_active", on: "sync_runs", ["company_id", "doc_type"], unique: true, where: "status IN ('pending', 'running')")
    ]
) { dialect in
    let boolFalse = dialect == .postgres ? "FALSE" : "0"
    // Nothing wrote fiscal_events before this step; it is rebuilt rather than altered because
    // SQLite cannot drop a NOT NULL in place.
    return [
        "ALTER TABLE fiscal_documents ADD COLUMN is_summary \(dialect.render(.boolean)) NOT NULL DEFAULT \(boolFalse)",
        "ALTER TABLE fiscal_documents ADD COLUMN protocol \(dialect.render(.varchar(50)))",
        "ALTER TABLE sync_runs ADD COLUMN environment INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE sync_runs ADD COLUMN last_status_code INTEGER",
        "ALTER TABLE sync_runs ADD COLUMN failure \(dialect.render(.text))",
        "DROP TABLE fiscal_events",
        fiscalEventsV8.render(dialect),
        Index("idx_fiscal_events_document_id", on: "fiscal_events", ["fiscal_document_id"]).render(dialect),
        Index("idx_fiscal_events_type", on: "fiscal_events", ["event_type"]).render(dialect),
        Index("idx_fiscal_events_account_date", on: "fiscal_events", ["account_id", "event_date DESC"]).render(dialect),
        Index("idx_fiscal_documents_company_issue", on: "fiscal_documents", ["company_id", "issue_date DESC"]).render(dialect),
    ]
}
