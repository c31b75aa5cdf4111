import Foundation
public import PostgresNIO
import SQLKit

/// A PostgreSQL row read through SQLKit's `SQLRow`, so a repository's one decoder serves rows
/// from prepared statements too, with the column types FiscalMix stores decoded straight by
/// PostgresNIO. PostgresKit's own rows send every read through a general translation (a dynamic
/// cast to `PostgresDecodable`, a coding path built per column): ~3.6% of all CPU samples of a
/// saturated webhook run (perf, inclusive), 3.2 of it reading the deliveries' 60-column work rows.
package struct PostgresTypedRow: SQLRow {
    package let row: PostgresRandomAccessRow

    package init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    package var allColumns: [String] { row.map(\.columnName) }
    package func contains(column: String) -> Bool { row.contains(column) }
    package func decodeNil(column: String) throws -> Bool { !row.contains(column) || row[column].bytes == nil }

    package func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard row.contains(column) else { throw StorageError.corruptRow("no column \(column)") }
        let cell = row[column]
        // Each branch has checked that D is the type it decodes, so the cast changes nothing.
        if D.self == String.self { return unsafeBitCast(try cell.decode(String.self), to: D.self) }
        if D.self == String?.self { return unsafeBitCast(try cell.decode(String?.self), to: D.self) }
        if D.self == UUID.self { return unsafeBitCast(try cell.decode(UUID.self), to: D.self) }
        if D.self == UUID?.self { return unsafeBitCast(try cell.decode(UUID?.self), to: D.self) }
        if D.self == Date.self { return unsafeBitCast(try cell.decode(Date.self), to: D.self) }
        if D.self == Date?.self { return unsafeBitCast(try cell.decode(Date?.self), to: D.self) }
        if D.self == Int.self { return unsafeBitCast(try cell.decode(Int.self), to: D.self) }
        if D.self == Int?.self { return unsafeBitCast(try cell.decode(Int?.self), to: D.self) }
        if D.self == Bool.self { return unsafeBitCast(try cell.decode(Bool.self), to: D.self) }
        guard let decodable = D.self as? any PostgresDecodable.Type else {
            throw StorageError.corruptRow("column \(column): \(D.self) cannot be read from PostgreSQL")
        }
        func read<T: PostgresDecodable>(_ type: T.Type) throws -> Any { try cell.decode(T.self) }
        guard let value = try read(decodable) as? D else { throw StorageError.corruptRow("column \(column) is not \(D.self)") }
        return value
    }
}
