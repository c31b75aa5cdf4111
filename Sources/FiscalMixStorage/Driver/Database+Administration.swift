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
            rows = try await query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()")
        }
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }
}
