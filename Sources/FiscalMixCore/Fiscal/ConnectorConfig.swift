public import Foundation

/// How a company reaches the authority for one document type (docs/data-model.md `connector_configs`).
/// Nothing here is secret: the client identity is the company's A1 certificate.
public struct ConnectorConfig: Sendable, Equatable, Codable {
    public enum Environment: String, Sendable, Codable, CaseIterable {
        case producao, homologacao
        /// `tpAmb`.
        public var code: Int { self == .producao ? 1 : 2 }
    }

    public enum Status: String, Sendable, Codable, CaseIterable { case active, inactive }

    public var id: UUID
    public var companyId: UUID
    public var docType: FiscalDocType
    public var environment: Environment
    /// `AN` (Ambiente Nacional) for the distribution services.
    public var authority: String
    /// Replaces the authority's published URL (a proxy, or the local SEFAZ peer in tests).
    public var endpoint: String?
    /// Replaces the URL manifestação events are sent to (NFeRecepcaoEvento4).
    public var eventEndpoint: String?
    /// PEM roots the authority's server certificate must chain to; real SEFAZ chains are
    /// ICP-Brasil, which default trust stores lack. Verification is never turned off.
    public var caBundlePEM: String?
    /// Scheduled sync on (the default).
    public var autoSync: Bool
    /// Send a ciência for every summary received, so the full XML arrives on a later sync.
    public var autoCiencia: Bool
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, companyId, docType, environment, authority, endpoint, eventEndpoint, caBundlePEM = "caBundlePem", autoSync
        case autoCiencia, status, createdAt, updatedAt
    }

    public init(
        id: UUID, companyId: UUID, docType: FiscalDocType, environment: Environment = .producao, authority: String = "AN",
        endpoint: String? = nil, eventEndpoint: String? = nil, caBundlePEM: String? = nil, autoSync: Bool = true, autoCiencia: Bool = false,
        status: Status = .active, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.companyId = companyId
        self.docType = docType
        self.environment = environment
        self.authority = authority
        self.endpoint = endpoint
        self.eventEndpoint = eventEndpoint
        self.caBundlePEM = caBundlePEM
        self.autoSync = autoSync
        self.autoCiencia = autoCiencia
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
