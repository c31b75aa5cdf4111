import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// Production storage: PostgreSQL through PostgresNIO's `PostgresClient`, an async-native
/// connection pool (no event-loop futures or task hops per query), with SQLKit on top.
public final class PostgresDriver: DatabaseDriver {
    public let dialect = SQLDialectKind.postgres
    let client: PostgresClient
    let runner: Task<Void, Never>
    /// A few connections for the hottest statement (the job pass, see `rows(of:)`), opened with
    /// their own planner settings.
    let hotPath: PostgresClient
    let hotPathRunner: Task<Void, Never>
    let logger: Logger

    public init(url: String, maxConnections: Int = 16, logger: Logger) throws {
        var configuration = try Self.configuration(url: url)
        var hotPathConfiguration = configuration
        configuration.options.maximumConnections = maxConnections
        hotPathConfiguration.options.maximumConnections = min(maxConnections, 8)
        hotPathConfiguration.options.additionalStartupParameters += [("plan_cache_mode", "force_generic_plan"), ("enable_seqscan", "off")]
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let hotPath = PostgresClient(configuration: hotPathConfiguration, backgroundLogger: logger)
        self.client = client
        self.hotPath = hotPath
        // The pools' maintenance loops (connects, keep-alives); cancelled at shutdown.
        runner = Task { await client.run() }
        hotPathRunner = Task { await hotPath.run() }
    }

    /// `postgres://user:password@host:port/database?sslmode=…` with libpq's sslmode meanings:
    /// disable; allow/prefer (TLS when offered, unverified); require (TLS, unverified);
    /// verify-ca/verify-full (TLS with the system trust roots and the host name checked).
    static func configuration(url text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""), let host = url.host,
              !host.isEmpty else {
            throw StorageError.invalidConfiguration("FISCALMIX_DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let sslmode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(unverified)
        case "require": tls = .require(unverified)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw StorageError.invalidConfiguration("Unknown sslmode '\(sslmode)' in FISCALMIX_DATABASE_URL.")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        return PostgresClient.Configuration(host: host, port: url.port ?? 5432, username: url.user?.removingPercentEncoding ?? "postgres",
                                            password: url.password?.removingPercentEncoding, database: database.isEmpty ? nil : database,
                                            tls: tls)
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // queryLogLevel nil: bind values carry secrets and must never be logged.
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    /// Runs a statement prepared once per connection and executed with one generic plan, on the
    /// hot-path connections. Planning the job pass anew with each run's values took longer than
    /// running it (0.38 ms against 0.25 ms, pg_stat_statements); left to itself PostgreSQL
    /// compares a generic plan with the first five custom ones and keeps whichever looked cheaper
    /// at that moment — every run re-planned in one process, none in the next. So these
    /// connections force the generic plan, and turn sequential scans off: a generic plan is made
    /// from the statistics of the moment it is first needed, and one made while `jobs` was empty
    /// or not yet analyzed scanned the whole table per pass once it had grown. A statement run
    /// here must give every table access an index condition whatever the statistics say
    /// (`JobPassStatement`; `JobPassPlanTests` checks its plan on an empty table and a full one).
    /// The rows come back as PostgresNIO's, for decoding by type: through SQLKit's `Decodable`
    /// path the pass's rows took ~5% of a single-handler worker's samples (perf, inclusive).
    func rows<Statement: PostgresPreparedStatement>(of statement: Statement) async throws -> [PostgresRow]
    where Statement.Row == PostgresRow {
        var rows: [PostgresRow] = []
        for try await row in try await hotPath.execute(statement) { rows.append(row) }
        return rows
    }

    /// Plain statements on a hot-path connection, with its planner settings (for tests that
    /// look at the plans it makes).
    func onHotPathConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await hotPath.withConnection { try await body($0) }
    }

    public func shutdown() async throws {
        runner.cancel()
        hotPathRunner.cancel()
        await runner.value
        await hotPathRunner.value
    }

    public var supportsNotifications: Bool { true }

    public func listen(channel: String, _ handler: @escaping @Sendable (String) -> Void) async throws {
        // Holds one connection; cancelling the caller's task ends the stream and returns it.
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await notification in notifications { handler(notification.payload) }
            }
        }
    }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.serverInfo?[.sqlState] == "23505"
    }
}
