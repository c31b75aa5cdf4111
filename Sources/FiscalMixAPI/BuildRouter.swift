import FiscalMixDatabase
public import FiscalMixHTTPEdge
import FiscalMixIdentity
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// The whole HTTP surface: health and the OpenAPI document at the root, the JSON API under `/v1`.
///
/// Router-level middleware sees every request (ids, problem documents for unmatched routes);
/// `/v1` middleware runs after route matching, so request logs and idempotency keys know the
/// route template.
public func buildRouter(_ services: APIServices) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let catalog = RouteCatalog()
    router.add(middleware: RequestIdMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(catalog: catalog))
    let root = CatalogedGroup(group: router.group(), prefix: "", catalog: catalog)
    HealthController(database: services.database, benchmarkRoutes: services.benchmarkRoutes).addRoutes(to: root)
    if let metrics = services.metrics { MetricsController(endpoint: metrics).addRoutes(to: root) }

    let v1Group = router.group("v1")
        .add(middleware: AuthenticationMiddleware(auth: services.auth))
        .add(middleware: RequestLogMiddleware(writer: services.requestLogWriter, accessLog: services.accessLog))
        .add(middleware: APIRateLimitMiddleware(limits: services.apiRateLimits, counter: services.requestCounter, clock: services.auth.clock))
        .add(middleware: IdempotencyMiddleware(repository: services.idempotency))
        .add(middleware: ProblemMiddleware())
    // Everything but sign-in and invite acceptance needs a caller; checking it here, before any
    // body is read, makes an unauthenticated request a 401 whatever it carries.
    let v1 = CatalogedGroup(group: v1Group, prefix: "/v1", catalog: catalog)
    let protected = CatalogedGroup(group: v1Group.group().add(middleware: RequireAuthenticationMiddleware()), prefix: "/v1", catalog: catalog)
    AuthController(auth: services.auth, secureCookies: services.secureCookies).addRoutes(public: v1, protected: protected)
    UserController(accounts: services.accounts, auth: services.auth).addRoutes(public: v1, protected: protected)
    MeController(accounts: services.accounts, auth: services.auth, mfa: services.mfa).addRoutes(to: protected)
    ApiKeyController(apiKeys: services.apiKeys).addRoutes(to: protected)
    CompanyController(companies: services.companies).addRoutes(to: protected)
    CertificateController(certificates: services.certificates).addRoutes(to: protected)
    FiscalSyncController(connectorConfigs: services.connectorConfigs, sync: services.sync).addRoutes(to: protected)
    DocumentController(documents: services.documents, manifestation: services.manifestation).addRoutes(to: protected)
    AuditController(audit: services.audit).addRoutes(to: protected)
    OperatorController(operators: services.operators).addRoutes(to: protected)
    JobController(jobs: services.jobs).addRoutes(to: protected)
    ConnectorController(connectors: services.connectors).addRoutes(to: protected)
    PolicyController(policies: services.policies).addRoutes(to: protected)
    OutboundSettingsController(settings: services.outboundSettings).addRoutes(to: protected)
    EventController(events: services.events, types: services.eventTypes, mappings: services.eventMappings).addRoutes(to: protected)
    WebhookEndpointController(endpoints: services.webhookEndpoints, deliveries: services.webhookDeliveries).addRoutes(to: protected)
    InboxController(inbox: services.inbox).addRoutes(to: protected)
    // Inbox providers post without an API key (their signature is the credential), and download
    // links carry their own signed token, so both sit outside the API's authentication.
    let unauthenticatedGroup = router.group("v1")
        .add(middleware: RequestLogMiddleware(writer: services.requestLogWriter, accessLog: services.accessLog))
        .add(middleware: ProblemMiddleware())
    let unauthenticated = CatalogedGroup(group: unauthenticatedGroup, prefix: "/v1", catalog: catalog)
    InboxController(inbox: services.inbox).addReceiveRoute(to: unauthenticated)
    BlobLinkController(blobs: services.blobs, signer: services.linkSigner, clock: services.auth.clock).addRoutes(to: unauthenticated)
    return router
}
