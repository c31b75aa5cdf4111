import FiscalMixIdentity
import FiscalMixStorage
import HTTPTypes
import Hummingbird
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
    router.add(middleware: RequestIdMiddleware())
    router.add(middleware: ProblemMiddleware())
    HealthController(database: services.database, benchmarkRoutes: services.benchmarkRoutes).addRoutes(to: router)

    let v1 = router.group("v1")
        .add(middleware: AuthenticationMiddleware(auth: services.auth))
        .add(middleware: RequestLogMiddleware(writer: services.requestLogWriter))
        .add(middleware: IdempotencyMiddleware(repository: IdempotencyRepository(database: services.database)))
        .add(middleware: ProblemMiddleware())
    AuthController(services: services).addRoutes(to: v1)
    MeController(services: services).addRoutes(to: v1)
    ApiKeyController(services: services).addRoutes(to: v1)
    UserController(services: services).addRoutes(to: v1)
    CompanyController(services: services).addRoutes(to: v1)
    AuditController(services: services).addRoutes(to: v1)
    OperatorController(services: services).addRoutes(to: v1)
    return router
}
