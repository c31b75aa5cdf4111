import Foundation
public import Logging
import SQLKit

/// Applies a `MigrationHistory` in order. Each step runs once, inside its own transaction, and is
/// recorded in `schema_migrations`. On PostgreSQL a session advisory lock makes replicas that
/// start together take turns; on SQLite the `BEGIN IMMEDIATE` write lock does the same.
public struct MigrationRunner: Sendable {
    /// Arbitrary but fixed: the advisory lock key all FiscalMix processes agree on.
    static let advisoryLockKey: Int64 = 0x46_4D_49_47  // "FMIG"

    let database: Database
    let migrations: [Migration]
    let logger: Logger

    public init(database: Database, history: MigrationHistory, logger: Logger) {
        self.database = database
        self.migrations = history.migrations
        self.logger = logger
    }

    /// Returns the versions applied by this call (empty when the schema was already current).
    @discardableResult
    public func run() async throws -> [Int] {
        let dialect = database.dialect
        let migrations = self.migrations
        let logger = self.logger
        let driver = database.driver
        let isBusy: @Sendable (any Error) -> Bool = { driver.isBusy($0) }
        return try await database.driver.withConnection { db in
            if dialect == .postgres {
                try await db.raw("SELECT pg_advisory_lock(\(bind: Self.advisoryLockKey))").run()
            }
            do {
                let applied = try await Self.apply(migrations, on: db, dialect: dialect, isBusy: isBusy, logger: logger)
                if dialect == .postgres {
                    try await db.raw("SELECT pg_advisory_unlock(\(bind: Self.advisoryLockKey))").run()
                }
                return applied
            } catch {
                if dialect == .postgres {
                    try? await db.raw("SELECT pg_advisory_unlock(\(bind: Self.advisoryLockKey))").run()
                }
                throw error
            }
        }
    }

    private static func apply(
        _ migrations: [Migration], on db: any SQLDatabase, dialect: SQLDialectKind,
        isBusy: @Sendable (any Error) -> Bool, logger: Logger
    ) async throws -> [Int] {
        let createHistory: SQLQueryString = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at \(unsafeRaw: dialect.render(.timestamp)) NOT NULL
            )
            """
        try await waitingOutBusy(isBusy) { try await db.raw(createHistory).run() }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            try await waitingOutBusy(isBusy) { try await db.raw(SQLQueryString(dialect.beginTransaction)).run() }
            do {
                let existing = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").first()
                if existing == nil {
                    for statement in migration.statements(for: dialect) {
                        try await db.raw(SQLQueryString(statement)).run()
                    }
                    try await db.raw(
                        """
                        INSERT INTO schema_migrations (version, name, applied_at)
                        VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Date()))
                        """
                    ).run()
                    applied.append(migration.version)
                    logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                }
                try await db.raw("COMMIT").run()
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw MigrationError(version: migration.version, name: migration.name, underlying: String(reflecting: error))
            }
        }
        return applied
    }

    /// SQLite: replicas starting together queue on the write lock, each wait bounded by the busy
    /// timeout; a long step of another process can outlast one wait, so a write that found the
    /// lock taken waits again (up to six times) before the runner gives up.
    private static func waitingOutBusy(_ isBusy: (any Error) -> Bool, _ write: () async throws -> Void) async throws {
        var attempt = 1
        while true {
            do {
                try await write()
                return
            } catch  where isBusy(error) && attempt < 6 {
                attempt += 1
            }
        }
    }

    /// The versions recorded as applied.
    public func appliedVersions() async throws -> [Int] {
        try await database.query("SELECT version FROM schema_migrations ORDER BY version")
            .map { try $0.decode(column: "version", as: Int.self) }
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public let version: Int
    public let name: String
    public let underlying: String
    public var description: String { "migration \(version) (\(name)) failed: \(underlying)" }
}
