import FiscalMixApp
import FiscalMixCore
import FiscalMixSchemaBaseline
import FiscalMixTestSupport
import Foundation
import Logging
import SQLKit
import Testing

@testable import FiscalMixDatabase

/// The schema history the App assembles from the baseline and the slices, and the upgrade of a
/// database an earlier release created.
@Suite struct SchemaHistoryTests {
    let logger = Logger(label: "schema-history")

    @Test func theAssembledHistoryIsOneToNWithTheBaselineFirst() throws {
        let history = try FiscalMixSchema.history()
        #expect(history.versions == Array(1...history.versions.count))
        #expect(Array(history.versions.prefix(14)) == BaselineSchema.migrations.map(\.version))
    }

    @Test func aVersionWrittenTwiceOrMissingIsRefused() {
        let one = Migration(1, "one", tables: [])
        let two = Migration(2, "two", tables: [])
        let otherTwo = Migration(2, "other_two", tables: [])
        let three = Migration(3, "three", tables: [])
        #expect(throws: MigrationHistoryError.self) { try MigrationHistory([one, two], [otherTwo, three]) }
        do {
            _ = try MigrationHistory([one, two], [otherTwo])
            Issue.record("a duplicate version was accepted")
        } catch {
            #expect(error.code == .duplicateVersion && error.version == 2)
        }
        do {
            _ = try MigrationHistory([one], [three])
            Issue.record("a gap was accepted")
        } catch {
            #expect(error.code == .gap && error.version == 2)
        }
        #expect((try? MigrationHistory([three, one], [two]))?.versions == [1, 2, 3])
    }

    /// A database left at any earlier version — with rows in it — upgrades to exactly the schema
    /// of a fresh install, and keeps its rows.
    @Test(arguments: [1, 14])
    func aDatabaseOfAnEarlierReleaseUpgradesToTheFreshSchema(at version: Int) async throws {
        let history = try FiscalMixSchema.history()
        #expect(version < history.versions.count, "an earlier version than the newest")
        let fresh = try await TestDatabase.with(migrations: history, logger: logger) { database in try await columns(database) }
        let earlier = try MigrationHistory(history.migrations.filter { $0.version <= version })
        try await TestDatabase.with(migrations: earlier, logger: logger) { database in
            let account = ID.make()
            let now = Date()
            try await database.execute(
                """
                INSERT INTO accounts (id, name, created_at, updated_at) VALUES (\(bind: account), 'Earlier Ltda', \(bind: now), \(bind: now))
                """)
            let applied = try await MigrationRunner(database: database, history: history, logger: logger).run()
            #expect(applied == history.versions.filter { $0 > version })
            #expect(try await columns(database) == fresh)
            let name = try await database.first("SELECT name FROM accounts WHERE id = \(bind: account)")
            #expect(try name?.decode(column: "name", as: String.self) == "Earlier Ltda")
        }
    }

    /// Every table's columns, as the database itself describes them.
    func columns(_ database: Database) async throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for table in try await database.tableNames() where table != "schema_migrations" {
            let rows: [any SQLRow]
            switch database.dialect {
            case .sqlite:
                rows = try await database.query("SELECT name || ' ' || type AS description FROM pragma_table_info(\(bind: table))")
            case .postgres:
                rows = try await database.query(
                    """
                    SELECT column_name || ' ' || data_type || ' ' || is_nullable AS description FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = \(bind: table)
                    """)
            }
            result[table] = try rows.map { try $0.decode(column: "description", as: String.self) }.sorted()
        }
        return result
    }
}
