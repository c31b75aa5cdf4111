import Foundation
public import SQLKit

/// Every difference between SQLite and PostgreSQL that FiscalMix's SQL depends on lives here,
/// so repositories and migrations are written once.
public enum SQLDialectKind: String, Sendable {
    case sqlite
    case postgres

    /// Column type for a schema type.
    package func render(_ type: ColumnType) -> String {
        switch (self, type) {
        case (.postgres, .uuid): "UUID"
        case (.sqlite, .uuid): "TEXT"
        case (.postgres, .text): "TEXT"
        case (.postgres, .varchar(let n)): "VARCHAR(\(n))"
        case (.sqlite, .text), (.sqlite, .varchar): "TEXT"
        case (_, .integer): "INTEGER"
        case (.postgres, .bigint): "BIGINT"
        case (.sqlite, .bigint): "INTEGER"
        case (.postgres, .double): "DOUBLE PRECISION"
        case (.sqlite, .double): "REAL"
        case (.postgres, .boolean): "BOOLEAN"
        case (.sqlite, .boolean): "INTEGER"
        // SQLiteNIO binds `Date` as a REAL of Unix seconds (UTC by definition); PostgreSQL
        // stores an instant. Both compare and sort as time.
        case (.postgres, .timestamp): "TIMESTAMPTZ"
        case (.sqlite, .timestamp): "REAL"
        case (.postgres, .date): "DATE"
        case (.sqlite, .date): "TEXT"
        // Exact decimals: NUMERIC on PostgreSQL; canonical decimal text on SQLite, whose
        // NUMERIC affinity would turn 1234.56 into a binary float.
        case (.postgres, .decimal(let p, let s)): "NUMERIC(\(p),\(s))"
        case (.sqlite, .decimal): "TEXT"
        case (.postgres, .json): "JSONB"
        case (.sqlite, .json): "TEXT"
        }
    }

    /// Extra column constraint a type needs on this dialect (SQLite validates JSON and booleans itself).
    package func typeCheck(column: String, _ type: ColumnType) -> String? {
        switch (self, type) {
        case (.sqlite, .json): "json_valid(\(quote(column)))"
        case (.sqlite, .boolean): "\(quote(column)) IN (0, 1)"
        default: nil
        }
    }

    package func render(_ value: ColumnDefault) -> String {
        switch (self, value) {
        case (.postgres, .bool(let b)): b ? "TRUE" : "FALSE"
        case (.sqlite, .bool(let b)): b ? "1" : "0"
        case (_, .int(let i)): String(i)
        case (_, .string(let s)): "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case (.postgres, .jsonObject): "'{}'::jsonb"
        case (.postgres, .jsonArray): "'[]'::jsonb"
        case (.sqlite, .jsonObject): "'{}'"
        case (.sqlite, .jsonArray): "'[]'"
        case (.postgres, .now): "now()"
        case (.sqlite, .now): "((julianday('now') - 2440587.5) * 86400.0)"
        }
    }

    /// The database's current time as Unix seconds with a fraction: one clock for every process
    /// that shares the database.
    package var epochNow: String {
        self == .postgres ? "EXTRACT(EPOCH FROM clock_timestamp())::double precision" : "((julianday('now') - 2440587.5) * 86400.0)"
    }

    package func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// SQLite tables are STRICT so a value of the wrong type is refused instead of stored.
    package var tableSuffix: String { self == .sqlite ? " STRICT" : "" }

    /// Statement that opens a write transaction. SQLite takes the write lock up front so two
    /// writers never deadlock upgrading from a read lock.
    package var beginTransaction: String { self == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN" }

    /// Row locking for a queue claim, and for the lease statements that pass over rows another
    /// transaction holds rather than wait for them. PostgreSQL lets concurrent claimers skip each
    /// other's rows; SQLite has one writer at a time (the claim runs inside `BEGIN IMMEDIATE`), so
    /// it needs none.
    package var claimLocking: String { self == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }
}

/// A bound text parameter PostgreSQL casts to a column type; SQLite stores the text as is.
public struct SQLCastBind: SQLExpression {
    public let text: String
    package let postgresType: String

    /// A JSON document (`jsonb`; SQLite's CHECK constraint validates the text).
    public static func json(_ json: String) -> SQLCastBind { SQLCastBind(text: json, postgresType: "jsonb") }
    /// An exact decimal in canonical text such as `3290.20` (NUMERIC; see `render(.decimal)`).
    public static func decimal(_ text: String) -> SQLCastBind { SQLCastBind(text: text, postgresType: "numeric") }

    public func serialize(to serializer: inout SQLSerializer) {
        serializer.write(bind: text)
        if serializer.dialect.name == "postgresql" { serializer.write("::" + postgresType) }
    }
}

/// A bound value that says its column type, for places where PostgreSQL cannot infer it (the
/// rows of a `VALUES` list are text to it otherwise): `$1::UUID` there, the plain bind on SQLite.
package struct SQLTypedBind: SQLExpression {
    package let value: any Encodable & Sendable
    package let type: ColumnType

    package func serialize(to serializer: inout SQLSerializer) {
        serializer.write(bind: value)
        if serializer.dialect.name == "postgresql" { serializer.write("::" + SQLDialectKind.postgres.render(type)) }
    }
}

extension SQLQueryString {
    /// A bind that carries its type into a `VALUES` list (see `SQLTypedBind`).
    package mutating func appendInterpolation(_ value: some Encodable & Sendable, as type: ColumnType) {
        appendInterpolation(SQLTypedBind(value: value, type: type))
    }

    /// A typed bind of a value that may be NULL.
    package mutating func appendInterpolation<Value: Encodable & Sendable>(_ value: Value?, as type: ColumnType) {
        appendInterpolation(SQLTypedBind(value: value, type: type))
    }

    /// Binds a JSON text value into a JSON column on either database.
    public mutating func appendInterpolation(json: String) {
        appendInterpolation(SQLCastBind.json(json))
    }

    public mutating func appendInterpolation(json: String?) {
        if let json { appendInterpolation(SQLCastBind.json(json)) } else { appendInterpolation(unsafeRaw: "NULL") }
    }
}

extension SQLDialectKind {
    /// A decimal column (`d.total_value`, from code) as something that compares numerically
    /// (SQLite stores the text).
    package func numeric(_ column: String) -> String {
        self == .postgres ? column : "CAST(\(column) AS REAL)"
    }

    /// A bound decimal on the side of a comparison with `numeric(_:)`.
    package func numericBind(_ text: String) -> SQLQueryString {
        self == .postgres ? "\(SQLCastBind.decimal(text))" : "CAST(\(bind: text) AS REAL)"
    }
}
