import Foundation
public import Logging
public import SQLKit

/// FiscalMix's handle on its database: queries, transactions and the dialect, whichever driver
/// is underneath.
public struct Database: Sendable {
    public let driver: any DatabaseDriver
    public var dialect: SQLDialectKind { driver.dialect }

    public init(driver: any DatabaseDriver) { self.driver = driver }

    /// Opens the database named by a URL: `postgres://…`/`postgresql://…` or `sqlite:PATH` / a plain path.
    public static func open(url: String, logger: Logger) throws -> Database {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return Database(driver: try PostgresDriver(url: url, logger: logger))
        }
        var path = url
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) } else if path.hasPrefix("sqlite:") { path.removeFirst("sqlite:".count) }
        return Database(driver: try SQLiteDriver(path: path, logger: logger))
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQLQueryString) async throws -> [any SQLRow] {
        try await driver.withConnection { db in try await db.raw(sql).all() }
    }

    public func first(_ sql: SQLQueryString) async throws -> (any SQLRow)? {
        try await driver.withConnection { db in try await db.raw(sql).first() }
    }

    public func execute(_ sql: SQLQueryString) async throws {
        try await driver.withConnection { db in try await db.raw(sql).run() }
    }

    /// Runs `body` in one transaction on one connection; rolls back if it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (Transaction) async throws -> T) async throws -> T {
        let dialect = self.dialect
        return try await driver.withConnection { db in
            try await db.raw(SQLQueryString(dialect.beginTransaction)).run()
            do {
                let result = try await body(Transaction(sql: db, dialect: dialect))
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func shutdown() async throws { try await driver.shutdown() }

    /// Round-trips a trivial query: the readiness check.
    public func ping() async throws { try await execute("SELECT 1") }
}

/// A connection inside an open transaction.
public struct Transaction: Sendable {
    public let sql: any SQLDatabase
    public let dialect: SQLDialectKind

    @discardableResult
    public func query(_ q: SQLQueryString) async throws -> [any SQLRow] { try await sql.raw(q).all() }
    public func first(_ q: SQLQueryString) async throws -> (any SQLRow)? { try await sql.raw(q).first() }
    public func execute(_ q: SQLQueryString) async throws { try await sql.raw(q).run() }
}

extension Database {
    /// Whether `error` is a unique-constraint violation (a duplicate), told by the driver.
    public func isUniqueViolation(_ error: any Error) -> Bool { driver.isUniqueViolation(error) }
}
