import FiscalMixConnectors
import FiscalMixCore
import FiscalMixFiscal
import FiscalMixIdentity
import FiscalMixJobs
import FiscalMixOutbound
import FiscalMixSecrets
import FiscalMixDatabase
import FiscalMixVault
import FiscalMixWebhooks
import FiscalMixHTTPEdge
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat

/// The services the HTTP layer calls, built once by the composition root.
public struct APIServices: Sendable {
    public let database: Database
    public let auth: AuthService
    public let mfa: MFAService
    public let apiKeys: ApiKeyService
    public let accounts: AccountService
    public let operators: OperatorService
    public let companies: CompanyService
    public let jobs: JobAdministration
    public let connectors: ConnectorService
    public let policies: PolicyService
    public let outboundSettings: OutboundSettingsService
    public let certificates: CertificateService
    public let connectorConfigs: ConnectorConfigService
    public let sync: DFeSyncService
    public let documents: FiscalDocumentService
    public let manifestation: ManifestationService
    public let eventTypes: EventTypeService
    public let eventMappings: EventMappingService
    public let events: EventService
    public let webhookEndpoints: WebhookEndpointService
    public let webhookDeliveries: WebhookDeliveryService
    public let inbox: InboxService
    public let identityConfiguration: IdentityConfiguration
    public let requestLogWriter: RequestLogWriter
    /// `Secure` on the session cookie: set when FiscalMix is served over TLS.
    public let secureCookies: Bool
    /// Adds `GET /hello`, the bare route the benchmark compares against.
    public let benchmarkRoutes: Bool
    /// One log line per request at info (`FISCALMIX_ACCESS_LOG`).
    public let accessLog: Bool
    /// `GET /metrics`, when the runtime exposes metrics.
    public let metrics: MetricsEndpoint?
    /// Request limits per client and account, and where the counts are kept.
    public let apiRateLimits: APIRateLimits
    public let requestCounter: any RequestCounter
    /// The blob store, and the signer of the download links this server serves itself.
    public let blobs: any BlobStore
    public let linkSigner: BlobLinkSigner

    public init(database: Database, auth: AuthService, vault: SecretVault, identityConfiguration: IdentityConfiguration,
                requestLogWriter: RequestLogWriter, secureCookies: Bool, benchmarkRoutes: Bool, metrics: MetricsEndpoint? = nil,
                outbound: OutboundClient? = nil, blobs: any BlobStore, blobLinks: any BlobLinks, linkSigner: BlobLinkSigner,
                jobQueue: JobQueue, addressRules: AccountAddressRuleCache? = nil, pkcs12Isolation: (any PKCS12Isolation)? = nil,
                apiRateLimits: APIRateLimits = .off, requestCounter: any RequestCounter = LocalRequestCounter(),
                externalSecrets: ExternalSecretSources = .none, accessLog: Bool = true, logger: Logger) {
        self.accessLog = accessLog
        self.apiRateLimits = apiRateLimits
        self.blobs = blobs
        self.linkSigner = linkSigner
        self.requestCounter = requestCounter
        self.connectors = ConnectorService(database: database, vault: vault, audit: auth.auditTrail, clock: auth.clock,
                                           caller: outbound.map { ConnectorCaller(client: $0, vault: vault) }, externalSecrets: externalSecrets)
        self.policies = PolicyService(database: database, audit: auth.auditTrail, clock: auth.clock)
        self.outboundSettings = OutboundSettingsService(database: database, rules: addressRules ?? AccountAddressRuleCache(database: database),
                                                        audit: auth.auditTrail, clock: auth.clock,
                                                        addressGuard: outbound?.configuration.addressGuard ?? AddressGuard())
        self.database = database
        self.auth = auth
        self.mfa = MFAService(database: database, auth: auth)
        self.apiKeys = ApiKeyService(database: database, auth: auth)
        self.accounts = AccountService(database: database, auth: auth)
        self.operators = OperatorService(database: database, auth: auth)
        self.companies = CompanyService(database: database, auth: auth)
        self.certificates = CertificateService(database: database, vault: vault, companies: companies, audit: auth.auditTrail, clock: auth.clock,
                                               isolation: pkcs12Isolation)
        self.jobs = JobAdministration(database: database, clock: auth.clock)
        self.connectorConfigs = ConnectorConfigService(database: database, companies: companies, audit: auth.auditTrail, clock: auth.clock)
        self.sync = DFeSyncService(database: database, companies: companies, certificates: certificates, queue: jobQueue, clock: auth.clock,
                                   logger: logger)
        self.documents = FiscalDocumentService(database: database, companies: companies, blobs: blobs, links: blobLinks,
                                               clock: auth.clock)
        self.manifestation = ManifestationService(database: database, companies: companies, certificates: certificates, sync: sync,
                                                  outbound: outbound, blobs: blobs, clock: auth.clock)
        self.eventTypes = EventTypeService(database: database, clock: auth.clock)
        self.eventMappings = EventMappingService(database: database, clock: auth.clock)
        self.events = EventService(database: database, types: eventTypes, clock: auth.clock)
        self.webhookEndpoints = WebhookEndpointService(database: database, vault: vault, audit: auth.auditTrail,
                                                       breakers: outbound?.breakers ?? CircuitBreakers(), clock: auth.clock)
        self.webhookDeliveries = WebhookDeliveryService(database: database, clock: auth.clock)
        self.inbox = InboxService(database: database, vault: vault, blobs: blobs, audit: auth.auditTrail, clock: auth.clock)
        self.identityConfiguration = identityConfiguration
        self.requestLogWriter = requestLogWriter
        self.secureCookies = secureCookies
        self.benchmarkRoutes = benchmarkRoutes
        self.metrics = metrics
    }
}
