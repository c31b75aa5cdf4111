public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// `connector_configs` rows: one per company and document type; the settings live in the
/// seed's `config` JSON column (none of them secret).
public struct ConnectorConfigRepository: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    struct Settings: Codable {
        var environment: ConnectorConfig.Environment
        var authority: String
        var endpoint: String?
        var eventEndpoint: String?
        var caBundlePEM: String?
        var autoSync: Bool
        var autoCiencia: Bool
    }

    public func upsert(_ c: ConnectorConfig, in tx: Transaction) async throws {
        let settings = Settings(
            environment: c.environment, authority: c.authority, endpoint: c.endpoint, eventEndpoint: c.eventEndpoint, caBundlePEM: c.caBundlePEM,
            autoSync: c.autoSync, autoCiencia: c.autoCiencia)
        try await tx.execute(
            """
            INSERT INTO connector_configs (id, company_id, doc_type, config, status, created_at, updated_at)
            VALUES (\(bind: c.id), \(bind: c.companyId), \(bind: c.docType.rawValue), \(json: jsonText(settings)), \(bind: c.status.rawValue),
                    \(bind: c.createdAt), \(bind: c.updatedAt))
            ON CONFLICT (company_id, doc_type) DO UPDATE SET config = excluded.config, status = excluded.status, updated_at = excluded.updated_at
            """)
    }

    public func find(companyId: UUID, docType: FiscalDocType) async throws -> ConnectorConfig? {
        try await database.first(
            """
            SELECT * FROM connector_configs WHERE company_id = \(bind: companyId) AND doc_type = \(bind: docType.rawValue)
            """
        ).map(Self.decode)
    }

    public func list(companyId: UUID) async throws -> [ConnectorConfig] {
        try await database.query("SELECT * FROM connector_configs WHERE company_id = \(bind: companyId) ORDER BY doc_type").map(Self.decode)
    }

    static func decode(_ row: any SQLRow) throws -> ConnectorConfig {
        let settings: Settings = try row.jsonValue("config")
        return ConnectorConfig(
            id: try row.get("id"), companyId: try row.get("company_id"), docType: try row.enumValue("doc_type"),
            environment: settings.environment, authority: settings.authority, endpoint: settings.endpoint,
            eventEndpoint: settings.eventEndpoint, caBundlePEM: settings.caBundlePEM, autoSync: settings.autoSync, autoCiencia: settings.autoCiencia,
            status: try row.enumValue("status"), createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }
}
