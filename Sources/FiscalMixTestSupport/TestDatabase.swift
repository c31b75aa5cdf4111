public import FiscalMixDatabase
import Foundation
public import Logging

/// A fresh, empty database for one test: a temporary SQLite file by default, or a new database
/// on the PostgreSQL server named by `FISCALMIX_TEST_DATABASE_URL` (created here, dropped after).
public struct TestDatabase: Sendable {
    public let url: String
    public let dialectName: String
    let cleanup: @Sendable () async -> Void

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["FISCALMIX_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func make(logger: Logger = Logger(label: "test-db")) async throws -> TestDatabase {
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        if let base = postgresURL {
            let name = "fmtest_\(suffix)"
            let admin = try Database.open(url: base, logger: logger)
            try await admin.createDatabase(named: name)
            try await admin.shutdown()
            let url = Self.replacingDatabase(in: base, with: name)
            return TestDatabase(url: url, dialectName: "postgres") {
                guard let admin = try? Database.open(url: base, logger: logger) else { return }
                try? await admin.dropDatabase(named: name)
                try? await admin.shutdown()
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fiscalmix-test-\(suffix)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("fiscalmix.sqlite").path
        return TestDatabase(url: "sqlite:\(path)", dialectName: "sqlite") {
            try? FileManager.default.removeItem(at: dir)
        }
    }

    public func remove() async { await cleanup() }

    /// A fresh database for `body`, with `migrations` applied first, removed afterwards.
    @discardableResult
    public static func with<T>(
        migrations: MigrationHistory? = nil, logger: Logger = Logger(label: "test-db"),
        _ body: (Database) async throws -> T
    ) async throws -> T {
        try await with(migrations: migrations, logger: logger) { database, _ in try await body(database) }
    }

    /// The same, also passing the database's URL (for a second pool: "another process").
    @discardableResult
    public static func with<T>(
        migrations: MigrationHistory? = nil, logger: Logger = Logger(label: "test-db"),
        _ body: (Database, _ url: String) async throws -> T
    ) async throws -> T {
        let test = try await make(logger: logger)
        let database = try Database.open(url: test.url, logger: logger)
        do {
            if let migrations { try await MigrationRunner(database: database, history: migrations, logger: logger).run() }
            let result = try await body(database, test.url)
            try await database.shutdown()
            await test.remove()
            return result
        } catch {
            try? await database.shutdown()
            await test.remove()
            throw error
        }
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}
