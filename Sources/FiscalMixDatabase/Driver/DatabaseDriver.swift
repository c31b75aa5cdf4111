@preconcurrency import AsyncKit
import Logging
import NIOCore
public import SQLKit

/// A pool of connections to one database. The two implementations (SQLite, PostgreSQL) are the
/// only code that touches a driver; everything else speaks SQLKit through `Database`.
public protocol DatabaseDriver: Sendable {
    var dialect: SQLDialectKind { get }
    /// Runs `body` on one leased connection (needed for transactions and session state).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func shutdown() async throws
    /// Whether `error` is a unique-constraint violation from this driver.
    func isUniqueViolation(_ error: any Error) -> Bool
    /// Whether `error` says another connection held the write lock past the busy timeout.
    func isBusy(_ error: any Error) -> Bool
    /// Whether `listen` hears other processes (PostgreSQL LISTEN/NOTIFY).
    var supportsNotifications: Bool { get }
    /// Calls `handler` for each notification on `channel` until cancelled (holds one connection).
    func listen(channel: String, _ handler: @escaping @Sendable (String) -> Void) async throws
}

extension EventLoopGroupConnectionPool {
    /// Leases a connection, runs `body` on its SQLKit face, and returns it to the pool.
    func withSQL<T: Sendable>(
        logger: Logger, _ sql: @escaping @Sendable (Source.Connection) -> any SQLDatabase,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await withConnection(logger: logger) { connection in
            connection.eventLoop.makeFutureWithTask { try await body(sql(connection)) }
        }.get()
    }
}
