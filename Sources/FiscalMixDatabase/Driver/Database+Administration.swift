import SQLKit

extension Database {
    /// Creates a database on the PostgreSQL server (tests and tooling; not used on SQLite).
    public func createDatabase(named name: String) async throws {
        precondition(dialect == .postgres, "createDatabase is PostgreSQL-only")
        try await execute("CREATE DATABASE \(ident: name)")
    }

    /// Drops a database, disconnecting any sessions left on it.
    public func dropDatabase(named name: String) async throws {
        precondition(dialect == .postgres, "dropDatabase is PostgreSQL-only")
        try await execute("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)")
    }

    /// Names of the tables in the current database/schema.
    public func tableNames() async throws -> Set<String> {
        let rows: [any SQLRow]
        switch dialect {
        case .sqlite:
            rows = try await query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        case .postgres:
            // Partitions are storage of their table, not tables of the model.
            rows = try await query(
                """
                SELECT c.relname AS name FROM pg_class c
                WHERE c.relnamespace = to_regnamespace(current_schema())::oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                """)
        }
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }
}

extension Database {
    /// Refreshes the planner's statistics for `tables`. A first sync can grow a table from empty
    /// to tens of thousands of rows in seconds, long before autovacuum's next analyze, and on
    /// PostgreSQL stale statistics turn `company_id = $1 AND access_key = ANY(…)` into a scan of
    /// the whole company, slower with every batch. SQLite's planner prefers the two-column unique index without statistics, and
    /// `PRAGMA optimize` keeps it that way.
    public func refreshStatistics(_ tables: [String]) async throws {
        switch dialect {
        case .postgres:
            for table in tables { try await execute("ANALYZE \(ident: table)") }
        case .sqlite:
            try await execute("PRAGMA optimize")
        }
    }
}
