import Foundation
public import Logging
import NIOSSL
import PostgresKit
public import PostgresNIO
public import SQLKit
import Synchronization

/// Production storage: PostgreSQL through PostgresNIO's `PostgresClient`, an async-native
/// connection pool (no event-loop futures or task hops per query), with SQLKit on top.
public final class PostgresDriver: DatabaseDriver {
    public let dialect = SQLDialectKind.postgres
    let client: PostgresClient
    let runner: Task<Void, Never>
    /// Set by the runner just before it starts the pool: a lease asked for earlier would wait all
    /// the same, but the pool logs a warning for it (at every start of the server, and in tests).
    let poolStarted: StartFlag
    /// A few connections for the hottest statement (the job pass, see `rows(of:)`), opened with
    /// their own planner settings and kept outside the pool (`HotPathConnections` says why).
    let hotPath: HotPathConnections
    let logger: Logger
    static let silent = Logger(label: "fiscalmix.postgres.silent", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(url: String, maxConnections: Int = 16, logger: Logger) throws {
        let endpoint = try PostgresEndpoint(url: url)
        var configuration = endpoint.clientConfiguration
        configuration.options.maximumConnections = maxConnections
        // Every time the pool takes a connection back it arms an idle-timeout timer and a
        // keep-alive timer, cancelled at the next lease; a cancelled timer keeps its memory until
        // its deadline (see `HotPathConnections`). A 10 s idle timeout and no keep-alive hold that
        // memory for 10 s instead of 90: a connection idle for 10 s is closed (and opened again
        // on demand), so none sits idle long enough to need a keep-alive query.
        configuration.options.connectionIdleTimeout = .seconds(10)
        configuration.options.keepAliveBehavior = nil
        var hotPathConfiguration = try endpoint.connectionConfiguration()
        hotPathConfiguration.options.additionalStartupParameters += [("plan_cache_mode", "force_generic_plan"), ("enable_seqscan", "off")]
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        hotPath = HotPathConnections(configuration: hotPathConfiguration, keptIdle: min(maxConnections, 8), logger: logger)
        let poolStarted = StartFlag()
        self.poolStarted = poolStarted
        // The pool's maintenance loop (connects, idle timeouts); cancelled at shutdown.
        runner = Task {
            poolStarted.set()
            await client.run()
        }
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // queryLogLevel nil: bind values carry secrets and must never be logged.
        await poolStarted.wait()
        return try await client.withConnection { connection in
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
    package func rows<Statement: PostgresPreparedStatement>(of statement: Statement) async throws -> [PostgresRow]
    where Statement.Row == PostgresRow {
        try await hotPath.withConnection { connection in
            var rows: [PostgresRow] = []
            // As the pool does: no query logging, whatever the level (bind values stay out of logs).
            for try await row in try await connection.execute(statement, logger: Self.silent) { rows.append(row) }
            return rows
        }
    }

    /// Plain statements on a hot-path connection, with its planner settings (for tests that
    /// look at the plans it makes).
    func onHotPathConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await hotPath.withConnection { try await body($0) }
    }

    public func shutdown() async throws {
        await hotPath.shutdown()
        runner.cancel()
        await runner.value
    }

    public var supportsNotifications: Bool { true }

    public func listen(channel: String, _ handler: @escaping @Sendable (String) -> Void) async throws {
        // Holds one connection; cancelling the caller's task ends the stream and returns it.
        await poolStarted.wait()
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await notification in notifications { handler(notification.payload) }
            }
        }
    }

    /// PostgreSQL waits on row and advisory locks; it has no busy timeout.
    public func isBusy(_ error: any Error) -> Bool { false }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.serverInfo?[.sqlState] == "23505"
    }
}

/// A one-way flag for start-up ordering. Waiting yields rather than parks: it lasts only until
/// the runner task has been scheduled once, and after that costs one atomic load.
final class StartFlag: Sendable {
    private let started = Atomic<Bool>(false)

    func set() { started.store(true, ordering: .releasing) }

    func wait() async {
        while !started.load(ordering: .acquiring) { await Task.yield() }
    }
}
