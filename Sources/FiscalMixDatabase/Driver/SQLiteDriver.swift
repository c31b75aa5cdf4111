@preconcurrency import AsyncKit
import Foundation
public import Logging
import NIOCore
import NIOPosix
public import SQLKit
internal import SQLiteKit
internal import SQLiteNIO
import Synchronization

/// The embedded default: one SQLite file in WAL mode, a small connection pool, a busy timeout so
/// concurrent writers wait instead of failing, and foreign keys enforced.
public final class SQLiteDriver: DatabaseDriver {
    public let dialect = SQLDialectKind.sqlite
    let pool: EventLoopGroupConnectionPool<TunedSQLiteSource>
    /// SQLite calls block their thread (a writer waiting on the busy timeout blocks it for up to
    /// 10 s). With a thread per connection, a waiter can never starve the connection holding the
    /// lock of a thread to finish on — which it could on NIO's shared 2-thread pool.
    let threadPool: NIOThreadPool
    let ledger = SQLiteConnectionLedger()
    let logger: Logger

    public init(path: String, maxConnections: Int = 4, logger: Logger) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: maxConnections)
        threadPool.start()
        self.pool = EventLoopGroupConnectionPool(
            source: TunedSQLiteSource(path: path, threadPool: threadPool, ledger: ledger),
            maxConnectionsPerEventLoop: maxConnections,
            requestTimeout: .seconds(30),
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.next()
        )
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        ledger.lease()
        defer { ledger.release() }
        // queryLogLevel nil: bind values carry secrets and must never be logged.
        return try await pool.withSQL(logger: logger, { $0.sql(queryLogLevel: nil) }, body)
    }

    /// Every SQLite call, `close` included, runs on `threadPool`, and a stopped thread pool cancels
    /// what is queued on it: a connection still leased or still opening when the pool shuts down
    /// would never be closed (SQLiteNIO asserts on that at deinit — measured: a debug test run
    /// crashed when a worker returned its connection after the test had shut the database down).
    /// So the thread pool stops only after every lease has ended, every open has finished and
    /// every connection is closed.
    public func shutdown() async throws {
        try await pool.shutdownAsync()
        let drained = await ledger.waitUntilIdle(timeout: .seconds(30))
        if !drained { logger.warning("SQLite connections still leased at shutdown; closing them") }
        for connection in ledger.openConnections() {
            try? await connection.close()
        }
        try await threadPool.shutdownGracefully()
    }

    /// One process owns an SQLite file; in-process wake-ups need no database notifications.
    public var supportsNotifications: Bool { false }
    public func listen(channel: String, _ handler: @escaping @Sendable (String) -> Void) async throws {}

    public func isBusy(_ error: any Error) -> Bool {
        (error as? SQLiteError)?.reason == .busy
    }

    public func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
        case .constraint: return error.message.hasPrefix("UNIQUE constraint failed")
        default: return false
        }
    }
}

/// Opens SQLite connections with the pragmas FiscalMix relies on.
struct TunedSQLiteSource: ConnectionPoolSource {
    let path: String
    let threadPool: NIOThreadPool
    let ledger: SQLiteConnectionLedger

    /// Switching a fresh file to WAL needs an exclusive lock, which SQLite refuses at once
    /// (SQLITE_BUSY, no busy wait) while the pool's other new connections hold shared ones; the
    /// switch is retried briefly (measured: "database is locked" when a test server's pool opened
    /// its first connections together under load).
    static func switchToWAL(_ connection: SQLiteConnection) async throws {
        var attempt = 0
        while true {
            do {
                _ = try await connection.query("PRAGMA journal_mode = WAL")
                return
            } catch let error as SQLiteError where error.reason == .busy && attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        let ledger = self.ledger
        ledger.beginOpening()
        return SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                eventLoop.makeFutureWithTask {
                    do {
                        _ = try await connection.query("PRAGMA busy_timeout = 10000")
                        try await Self.switchToWAL(connection)
                        _ = try await connection.query("PRAGMA synchronous = NORMAL")
                        _ = try await connection.query("PRAGMA foreign_keys = ON")
                        ledger.opened(connection)
                        return connection
                    } catch {
                        // A connection that failed its setup is closed, not dropped (SQLiteNIO
                        // asserts on an open handle at deinit, and the file handle would leak).
                        try? await connection.close()
                        throw error
                    }
                }
            }
            .always { _ in ledger.endOpening() }
    }
}

/// What an `SQLiteDriver` has out: leases in progress, connections being opened, and the open
/// connections themselves (weakly: the pool owns them), so shutdown can wait for and close them.
final class SQLiteConnectionLedger: Sendable {
    private struct State {
        var leases = 0
        var opening = 0
        var connections: [WeakConnection] = []
    }
    private struct WeakConnection { weak var connection: SQLiteConnection? }
    private let state = Mutex(State())

    func lease() { state.withLock { $0.leases += 1 } }
    func release() { state.withLock { $0.leases -= 1 } }
    func beginOpening() { state.withLock { $0.opening += 1 } }
    func endOpening() { state.withLock { $0.opening -= 1 } }

    func opened(_ connection: SQLiteConnection) {
        state.withLock {
            $0.connections.removeAll { $0.connection?.isClosed ?? true }
            $0.connections.append(WeakConnection(connection: connection))
        }
    }

    func openConnections() -> [SQLiteConnection] {
        state.withLock { $0.connections.compactMap(\.connection).filter { !$0.isClosed } }
    }

    /// Whether nothing is leased or opening any more, polled until `timeout`.
    func waitUntilIdle(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.leases == 0 && $0.opening == 0 }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
