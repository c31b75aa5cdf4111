import FiscalMixAPI
import FiscalMixBlobs
import FiscalMixConnectors
import FiscalMixCore
import FiscalMixDatabase
import FiscalMixFiscal
import FiscalMixHTTPEdge
import FiscalMixIdentity
import FiscalMixJobs
import FiscalMixOutbound
import FiscalMixSecrets
import FiscalMixVault
import FiscalMixWebhooks
import Foundation
import Logging

/// What the service graph is made from: the shared infrastructure `start` opened.
struct ServiceInfrastructure {
    let database: Database
    let configuration: AppConfiguration
    let auth: AuthService
    let vault: SecretVault
    let requestLogWriter: RequestLogWriter
    let metrics: MetricsEndpoint
    let outbound: OutboundClient
    let blobs: any BlobStore
    let blobLinks: any BlobLinks
    let linkSigner: BlobLinkSigner
    let jobQueue: JobQueue
    let addressRules: AccountAddressRuleCache
    let logger: Logger
}

extension FiscalMixRuntime {
    /// Every feature service, built once; the HTTP edges take what they use from here.
    static func makeServices(_ infra: ServiceInfrastructure) throws -> APIServices {
        let database = infra.database
        let configuration = infra.configuration
        let auth = infra.auth
        let clock = auth.clock
        let audit = auth.auditTrail
        let companies = CompanyService(database: database, auth: auth)
        let certificates = CertificateService(
            database: database, vault: infra.vault, companies: companies, audit: audit, clock: clock,
            isolation: configuration.pkcs12Inspector.map {
                ChildProcessPKCS12Isolation(executable: URL(fileURLWithPath: $0))
            })
        let sync = DFeSyncService(
            database: database, companies: companies, certificates: certificates, queue: infra.jobQueue, clock: clock,
            logger: infra.logger)
        let eventTypes = EventTypeService(database: database, clock: clock)
        return APIServices(
            database: database,
            auth: auth,
            audit: AuditService(database: database),
            mfa: MFAService(database: database, auth: auth),
            apiKeys: ApiKeyService(database: database, auth: auth),
            accounts: AccountService(database: database, auth: auth),
            operators: OperatorService(database: database, auth: auth),
            companies: companies,
            jobs: JobAdministration(database: database, clock: clock),
            connectors: ConnectorService(
                database: database, vault: infra.vault, audit: audit, clock: clock,
                caller: ConnectorCaller(client: infra.outbound, vault: infra.vault),
                externalSecrets: try configuration.externalSecretSources()),
            policies: PolicyService(database: database, audit: audit, clock: clock),
            outboundSettings: OutboundSettingsService(
                database: database, rules: infra.addressRules, audit: audit, clock: clock,
                addressGuard: infra.outbound.configuration.addressGuard),
            certificates: certificates,
            connectorConfigs: ConnectorConfigService(database: database, companies: companies, audit: audit, clock: clock),
            sync: sync,
            documents: FiscalDocumentService(database: database, companies: companies, blobs: infra.blobs, links: infra.blobLinks, clock: clock),
            manifestation: ManifestationService(
                database: database, companies: companies, certificates: certificates, sync: sync,
                outbound: infra.outbound, blobs: infra.blobs, clock: clock),
            eventTypes: eventTypes,
            eventMappings: EventMappingService(database: database, clock: clock),
            events: EventService(database: database, types: eventTypes, clock: clock),
            webhookEndpoints: WebhookEndpointService(
                database: database, vault: infra.vault, audit: audit, breakers: infra.outbound.breakers,
                clock: clock),
            webhookDeliveries: WebhookDeliveryService(database: database, clock: clock),
            inbox: InboxService(database: database, vault: infra.vault, blobs: infra.blobs, audit: audit, clock: clock),
            identityConfiguration: configuration.identity,
            requestLogWriter: infra.requestLogWriter,
            idempotency: IdempotencyRepository(database: database),
            // `Secure` on the session cookie when FiscalMix is served over TLS.
            secureCookies: configuration.secureCookies,
            benchmarkRoutes: configuration.benchmarkRoutes,
            accessLog: configuration.accessLog,
            metrics: infra.metrics,
            apiRateLimits: configuration.apiRateLimits,
            // Counted where every server process sees the same counts.
            requestCounter: configuration.usesEmbeddedDatabase ? LocalRequestCounter() : SQLRequestCounter(database: database),
            blobs: infra.blobs,
            linkSigner: infra.linkSigner)
    }
}
