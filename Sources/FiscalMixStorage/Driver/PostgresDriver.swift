@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit

/// Production storage: PostgreSQL through PostgresKit's pooled connections.
public final class PostgresDriver: DatabaseDriver {
    public let dialect = SQLDialectKind.postgres
    let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>
    let logger: Logger

    public init(url: String, maxConnectionsPerEventLoop: Int = 8, logger: Logger) throws {
        let configuration = try SQLPostgresConfiguration(url: url)
        self.logger = logger
        self.pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
            requestTimeout: .seconds(30),
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // queryLogLevel nil: bind values carry secrets and must never be logged.
        try await pool.withSQL(logger: logger, { $0.sql(queryLogLevel: nil) }, body)
    }

    public func shutdown() async throws {
        try await pool.shutdownAsync()
    }

    public var supportsNotifications: Bool { true }

    public func notify(channel: String, payload: String) async throws {
        try await withConnection { db in try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run() }
    }

    public func listen(channel: String, _ handler: @escaping @Sendable (String) -> Void) async throws {
        // Leased outside `withConnection` so the notification stream is consumed in the caller's
        // task: cancelling that task ends the stream (AsyncThrowingStream observes cancellation).
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        try await connection.listen(on: channel) { notifications in
            for try await notification in notifications { handler(notification.payload) }
        }
    }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.serverInfo?[.sqlState] == "23505"
    }
}
