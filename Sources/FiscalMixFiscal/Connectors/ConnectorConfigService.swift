public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
public import Foundation
import NIOSSL

/// Connector configurations per company and document type (docs/data-model.md `connector_configs`).
public struct ConnectorConfigService: Sendable {
    let database: Database
    let configs: ConnectorConfigRepository
    let companies: CompanyService
    let audit: AuditTrail
    let clock: any WallClock

    public init(database: Database, companies: CompanyService, audit: AuditTrail, clock: any WallClock) {
        self.database = database
        configs = ConnectorConfigRepository(database: database)
        self.companies = companies
        self.audit = audit
        self.clock = clock
    }

    /// What a client may set; absent fields keep their value (or the default).
    public struct Input: Sendable, Decodable {
        public var environment: ConnectorConfig.Environment?
        public var authority: String?
        public var endpoint: String??
        public var eventEndpoint: String??
        public var caBundlePEM: String??
        public var autoSync: Bool?
        public var autoCiencia: Bool?
        public var status: ConnectorConfig.Status?
        /// The body used a spelling docs/api-conventions.md retired (`caBundlePEM`).
        public var usedPreviousSpelling = false

        enum CodingKeys: String, CodingKey {
            case environment, authority, endpoint, eventEndpoint, status, caBundlePem, autoSync, autoCiencia
            case caBundlePEM  // the first release's spelling
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            environment = try c.decodeIfPresent(ConnectorConfig.Environment.self, forKey: .environment)
            authority = try c.decodeIfPresent(String.self, forKey: .authority)
            // Present-and-null clears; absent keeps.
            endpoint = c.contains(.endpoint) ? .some(try c.decodeIfPresent(String.self, forKey: .endpoint)) : nil
            eventEndpoint = c.contains(.eventEndpoint) ? .some(try c.decodeIfPresent(String.self, forKey: .eventEndpoint)) : nil
            let bundleKey: CodingKeys = c.contains(.caBundlePem) ? .caBundlePem : .caBundlePEM
            usedPreviousSpelling = bundleKey == .caBundlePEM && c.contains(.caBundlePEM)
            caBundlePEM = c.contains(bundleKey) ? .some(try c.decodeIfPresent(String.self, forKey: bundleKey)) : nil
            autoSync = try c.decodeIfPresent(Bool.self, forKey: .autoSync)
            autoCiencia = try c.decodeIfPresent(Bool.self, forKey: .autoCiencia)
            status = try c.decodeIfPresent(ConnectorConfig.Status.self, forKey: .status)
        }
    }

    static func checkedURL(_ value: String?, field: String) throws -> String? {
        guard let url = value else { return nil }
        guard url.count <= 500, let parsed = URL(string: url), parsed.scheme == "https", parsed.host != nil else {
            throw FiscalMixError.validation(field, "\(field) must be an https:// URL (the authority is reached over mutual TLS).")
        }
        return url
    }

    public func list(_ principal: Principal, companyId: UUID) async throws -> [ConnectorConfig] {
        try await companies.authorize(principal, companyId: companyId, needs: .viewer, scope: .companiesRead)
        return try await configs.list(companyId: companyId)
    }

    public func put(
        _ principal: Principal, companyId: UUID, docType: FiscalDocType, _ input: Input, meta: RequestMeta
    ) async throws -> ConnectorConfig {
        try await companies.authorize(principal, companyId: companyId, needs: .admin, scope: .companiesWrite)
        let now = clock.now()
        var config =
            try await configs.find(companyId: companyId, docType: docType)
            ?? ConnectorConfig(id: ID.make(now: now), companyId: companyId, docType: docType, createdAt: now, updatedAt: now)
        if let v = input.environment { config.environment = v }
        if let v = input.authority {
            guard (1...20).contains(v.count), v.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw FiscalMixError.validation("authority", "authority is a short code such as AN or SVRS.")
            }
            config.authority = v.uppercased()
        }
        if let v = input.endpoint { config.endpoint = try Self.checkedURL(v, field: "endpoint") }
        if let v = input.eventEndpoint { config.eventEndpoint = try Self.checkedURL(v, field: "eventEndpoint") }
        if let v = input.caBundlePEM {
            if let pem = v {
                guard pem.utf8.count <= 1 << 20, let roots = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)), !roots.isEmpty else {
                    throw FiscalMixError.validation("caBundlePem", "caBundlePem must hold one or more PEM certificates.")
                }
            }
            config.caBundlePEM = v
        }
        if let v = input.autoSync { config.autoSync = v }
        if let v = input.autoCiencia { config.autoCiencia = v }
        if let v = input.status { config.status = v }
        config.updatedAt = now
        let entry = audit.entry(
            "connector_config.updated", by: principal, entityType: "connector_config", entityId: config.id.lowercased,
            metadata: [
                "company": companyId.lowercased, "doc_type": docType.rawValue, "environment": config.environment.rawValue,
                "endpoint": config.endpoint ?? "",
            ], meta: meta)
        try await database.transaction { [configs, audit, config] tx in
            try await configs.upsert(config, in: tx)
            try await audit.write(entry, in: tx)
        }
        return config
    }
}
