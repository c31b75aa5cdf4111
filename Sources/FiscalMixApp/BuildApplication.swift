import FiscalMixAPI
import FiscalMixCore
import FiscalMixIdentity
import FiscalMixSecrets
import FiscalMixStorage
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The composition root: one place that reads configuration, opens the database, builds the
/// services and wires the HTTP server and background services together.
public struct FiscalMixRuntime: Sendable {
    public let configuration: AppConfiguration
    public let database: Database
    public let services: APIServices
    public let logger: Logger

    /// Opens the database (running migrations when configured) and builds every service.
    public static func start(_ configuration: AppConfiguration, clock: any WallClock = SystemWallClock(), logger: Logger) async throws -> FiscalMixRuntime {
        let masterKey = try MasterKeyLoader.load(configuration, logger: logger)
        try FileManager.default.createDirectory(atPath: configuration.blobDirectory, withIntermediateDirectories: true)
        let database = try Database.open(url: configuration.databaseURL, logger: logger)
        do {
            if configuration.runMigrationsOnStart {
                try await MigrationRunner(database: database, logger: logger).run()
            }
            let auth = AuthService(database: database, secretBox: SecretBox(masterKey: masterKey), configuration: configuration.identity,
                                   clock: clock, logger: logger)
            let writer = RequestLogWriter(repository: RequestLogRepository(database: database), logger: logger)
            let services = APIServices(database: database, auth: auth, identityConfiguration: configuration.identity, requestLogWriter: writer,
                                       secureCookies: configuration.secureCookies, benchmarkRoutes: configuration.benchmarkRoutes)
            return FiscalMixRuntime(configuration: configuration, database: database, services: services, logger: logger)
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    /// The HTTP application with its background services (request-log writer, database pool).
    public func buildApplication() -> some ApplicationProtocol {
        Application(
            router: buildRouter(services),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "FiscalMix"),
            // Shut down in reverse: HTTP server, then the log writer (final flush), then the pool.
            services: [DatabaseService(database: database), services.requestLogWriter],
            logger: logger
        )
    }
}

/// Closes the connection pool after everything else has stopped.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        try await database.shutdown()
    }
}

extension Logger.Level {
    init(configured: String) {
        self = Logger.Level(rawValue: configured) ?? .info
    }
}

public func makeLogger(_ configuration: AppConfiguration, label: String = "fiscalmix") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(configured: configuration.logLevel)
    return logger
}

extension FiscalMixRuntime {
    public func appliedVersions() async throws -> [Int] {
        try await MigrationRunner(database: database, logger: logger).appliedVersions()
    }
}
