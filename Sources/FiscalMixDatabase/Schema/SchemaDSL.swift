import Foundation

/// A small typed description of tables and indexes, rendered to DDL per dialect, so the data
/// model is written once for SQLite and PostgreSQL. All names and literals here come from code,
/// never from input.
public enum ColumnType: Sendable, Equatable {
    case uuid, text, varchar(Int), integer, bigint, double, boolean, timestamp, date, decimal(Int, Int), json
}

public enum ColumnDefault: Sendable, Equatable {
    case bool(Bool), int(Int), string(String), jsonObject, jsonArray, now
}

public enum OnDelete: String, Sendable {
    case cascade = "CASCADE", setNull = "SET NULL", restrict = "RESTRICT"
}

public struct Column: Sendable {
    package var name: String
    package var type: ColumnType
    package var nullable = false
    package var defaultValue: ColumnDefault?
    package var allowed: [String]?
    package var check: String?
    package var reference: (table: String, column: String, onDelete: OnDelete)?
    package var isUnique = false
    package var isPrimaryKey = false

    package init(_ name: String, _ type: ColumnType) {
        self.name = name
        self.type = type
    }

    public func null() -> Column { var c = self; c.nullable = true; return c }
    public func defaulting(_ value: ColumnDefault) -> Column { var c = self; c.defaultValue = value; return c }
    public func unique() -> Column { var c = self; c.isUnique = true; return c }
    public func primaryKey() -> Column { var c = self; c.isPrimaryKey = true; return c }
    /// Restricts a text column to a fixed set of values (the seeds' status domains).
    public func oneOf(_ values: [String]) -> Column { var c = self; c.allowed = values; return c }
    /// A CHECK over this column written with `$` standing for the quoted column name.
    public func check(_ expression: String) -> Column { var c = self; c.check = expression; return c }
    public func references(_ table: String, _ column: String = "id", onDelete: OnDelete) -> Column {
        var c = self; c.reference = (table, column, onDelete); return c
    }
}

// Column constructors, named after what they hold.
public func id() -> Column { Column("id", .uuid).primaryKey() }
public func uuid(_ name: String) -> Column { Column(name, .uuid) }
public func text(_ name: String) -> Column { Column(name, .text) }
public func varchar(_ name: String, _ length: Int) -> Column { Column(name, .varchar(length)) }
public func integer(_ name: String) -> Column { Column(name, .integer) }
public func bigint(_ name: String) -> Column { Column(name, .bigint) }
public func double(_ name: String) -> Column { Column(name, .double) }
public func boolean(_ name: String) -> Column { Column(name, .boolean) }
public func timestamp(_ name: String) -> Column { Column(name, .timestamp) }
public func date(_ name: String) -> Column { Column(name, .date) }
public func decimal(_ name: String, _ precision: Int, _ scale: Int) -> Column { Column(name, .decimal(precision, scale)) }
public func json(_ name: String) -> Column { Column(name, .json) }
/// `created_at` and `updated_at`, set by the application (UTC instants).
public func timestamps() -> [Column] { [timestamp("created_at").defaulting(.now), timestamp("updated_at").defaulting(.now)] }

public struct Table: Sendable {
    package let name: String
    package let columns: [Column]
    package let primaryKey: [String]?
    package let uniques: [[String]]
    package let checks: [String]
    /// PostgreSQL range-partitions the table by this column (the primary key and every unique
    /// key then include it, as PostgreSQL requires); SQLite keeps a plain table.
    package let partitionKey: String?

    public init(
        _ name: String, primaryKey: [String]? = nil, unique: [[String]] = [], _ columns: [[Column]], checks: [String] = [],
        partitionedBy partitionKey: String? = nil
    ) {
        self.name = name
        self.columns = columns.flatMap { $0 }
        self.primaryKey = primaryKey
        self.uniques = unique
        self.checks = checks
        self.partitionKey = partitionKey
    }

    package func render(_ dialect: SQLDialectKind) -> String {
        let partitionKey = dialect == .postgres ? self.partitionKey : nil
        var primaryKey = self.primaryKey
        var parts: [String] = []
        var constraints: [String] = []
        for column in columns {
            var sql = "\(dialect.quote(column.name)) \(dialect.render(column.type))"
            if !column.nullable { sql += " NOT NULL" }
            if column.isPrimaryKey, let partitionKey, partitionKey != column.name {
                primaryKey = [column.name, partitionKey]
            } else if column.isPrimaryKey {
                sql += " PRIMARY KEY"
            }
            if column.isUnique { sql += " UNIQUE" }
            if let value = column.defaultValue { sql += " DEFAULT \(dialect.render(value))" }
            if let reference = column.reference {
                sql += " REFERENCES \(dialect.quote(reference.table))(\(dialect.quote(reference.column))) ON DELETE \(reference.onDelete.rawValue)"
            }
            parts.append(sql)
            var checks: [String] = []
            if let allowed = column.allowed {
                let list = allowed.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ")
                checks.append("\(dialect.quote(column.name)) IN (\(list))")
            }
            if let check = column.check { checks.append(check.replacingOccurrences(of: "$", with: dialect.quote(column.name))) }
            if let typeCheck = dialect.typeCheck(column: column.name, column.type) { checks.append(typeCheck) }
            for check in checks {
                constraints.append("CONSTRAINT \(dialect.quote("ck_\(name)_\(column.name)_\(constraints.count)")) CHECK (\(check))")
            }
        }
        // SQLite wants every column before the first table constraint.
        parts += constraints
        if let primaryKey {
            parts.append("PRIMARY KEY (\(primaryKey.map(dialect.quote).joined(separator: ", ")))")
        }
        for unique in uniques {
            parts.append("UNIQUE (\(unique.map(dialect.quote).joined(separator: ", ")))")
        }
        for check in checks { parts.append("CHECK (\(check))") }
        let body = "CREATE TABLE \(dialect.quote(name)) (\n    " + parts.joined(separator: ",\n    ") + "\n)"
        if let partitionKey { return body + " PARTITION BY RANGE (\(dialect.quote(partitionKey)))" }
        return body + dialect.tableSuffix
    }
}

public struct Index: Sendable {
    package let name: String
    package let table: String
    package let columns: [String]
    package let unique: Bool
    package let predicate: String?
    /// Treat NULLs as equal in a unique index (PostgreSQL 15 `NULLS NOT DISTINCT`; on SQLite the
    /// listed nullable columns are indexed through `IFNULL(col, '')`).
    package let nullsNotDistinct: [String]

    /// `columns` may carry a direction, e.g. `"created_at DESC"`.
    public init(
        _ name: String, on table: String, _ columns: [String], unique: Bool = false, where predicate: String? = nil,
        nullsNotDistinct: [String] = []
    ) {
        self.name = name
        self.table = table
        self.columns = columns
        self.unique = unique
        self.predicate = predicate
        self.nullsNotDistinct = nullsNotDistinct
    }

    package func render(_ dialect: SQLDialectKind) -> String {
        let cols = columns.map { spec -> String in
            let pieces = spec.split(separator: " ", maxSplits: 1).map(String.init)
            var column = dialect.quote(pieces[0])
            if dialect == .sqlite, nullsNotDistinct.contains(pieces[0]) { column = "IFNULL(\(column), '')" }
            return pieces.count > 1 ? "\(column) \(pieces[1])" : column
        }.joined(separator: ", ")
        var sql = "CREATE \(unique ? "UNIQUE " : "")INDEX \(dialect.quote(name)) ON \(dialect.quote(table)) (\(cols))"
        if dialect == .postgres, !nullsNotDistinct.isEmpty { sql += " NULLS NOT DISTINCT" }
        if let predicate { sql += " WHERE \(predicate)" }
        return sql
    }
}

/// One step of schema history. Steps never change once released; new needs get new steps.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    package let tables: [Table]
    package let indexes: [Index]
    package let extra: @Sendable (SQLDialectKind) -> [String]

    public init(
        _ version: Int, _ name: String, tables: [Table], indexes: [Index] = [],
        extra: @escaping @Sendable (SQLDialectKind) -> [String] = { _ in [] }
    ) {
        self.version = version
        self.name = name
        self.tables = tables
        self.indexes = indexes
        self.extra = extra
    }

    public func statements(for dialect: SQLDialectKind) -> [String] {
        tables.map { $0.render(dialect) } + indexes.map { $0.render(dialect) } + extra(dialect)
    }

    public var tableNames: [String] { tables.map(\.name) }
}
