public import FiscalMixConnectors
public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixFiscal
public import FiscalMixHTTPEdge
public import FiscalMixIdentity
public import FiscalMixJobs
import FiscalMixOutbound
public import FiscalMixSecrets
import FiscalMixVault
public import FiscalMixWebhooks
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat

/// The services the JSON API calls. The App builds each of them once (FiscalMixRuntime.start) and
/// hands them over here; controllers take only the ones they use.
public struct APIServices: Sendable {
    public let database: Database
    public let auth: AuthService
    public let audit: AuditService
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
    public let idempotency: IdempotencyRepository
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

    public init(
        database: Database,
        auth: AuthService,
        audit: AuditService,
        mfa: MFAService,
        apiKeys: ApiKeyService,
        accounts: AccountService,
        operators: OperatorService,
        companies: CompanyService,
        jobs: JobAdministration,
        connectors: ConnectorService,
        policies: PolicyService,
        outboundSettings: OutboundSettingsService,
        certificates: CertificateService,
        connectorConfigs: ConnectorConfigService,
        sync: DFeSyncService,
        documents: FiscalDocumentService,
        manifestation: ManifestationService,
        eventTypes: EventTypeService,
        eventMappings: EventMappingService,
        events: EventService,
        webhookEndpoints: WebhookEndpointService,
        webhookDeliveries: WebhookDeliveryService,
        inbox: InboxService,
        identityConfiguration: IdentityConfiguration,
        requestLogWriter: RequestLogWriter,
        idempotency: IdempotencyRepository,
        secureCookies: Bool,
        benchmarkRoutes: Bool,
        accessLog: Bool,
        metrics: MetricsEndpoint?,
        apiRateLimits: APIRateLimits,
        requestCounter: any RequestCounter,
        blobs: any BlobStore,
        linkSigner: BlobLinkSigner
    ) {
        self.database = database
        self.auth = auth
        self.audit = audit
        self.mfa = mfa
        self.apiKeys = apiKeys
        self.accounts = accounts
        self.operators = operators
        self.companies = companies
        self.jobs = jobs
        self.connectors = connectors
        self.policies = policies
        self.outboundSettings = outboundSettings
        self.certificates = certificates
        self.connectorConfigs = connectorConfigs
        self.sync = sync
        self.documents = documents
        self.manifestation = manifestation
        self.eventTypes = eventTypes
        self.eventMappings = eventMappings
        self.events = events
        self.webhookEndpoints = webhookEndpoints
        self.webhookDeliveries = webhookDeliveries
        self.inbox = inbox
        self.identityConfiguration = identityConfiguration
        self.requestLogWriter = requestLogWriter
        self.idempotency = idempotency
        self.secureCookies = secureCookies
        self.benchmarkRoutes = benchmarkRoutes
        self.accessLog = accessLog
        self.metrics = metrics
        self.apiRateLimits = apiRateLimits
        self.requestCounter = requestCounter
        self.blobs = blobs
        self.linkSigner = linkSigner
    }
}
