public import SQLKit

/// One table's columns inside a joined row, read under their own names: the query selects them
/// as `<prefix><column>`, and the table's decoder reads `column`.
package struct PrefixedRow: SQLRow {
    package let row: any SQLRow
    package let prefix: String
    package init(row: any SQLRow, prefix: String) {
        self.row = row
        self.prefix = prefix
    }

    package var allColumns: [String] { row.allColumns.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
    package func contains(column: String) -> Bool { row.contains(column: prefix + column) }
    package func decodeNil(column: String) throws -> Bool { try row.decodeNil(column: prefix + column) }
    package func decode<D: Decodable>(column: String, as type: D.Type) throws -> D { try row.decode(column: prefix + column, as: D.self) }
}

/// `alias.column AS prefixcolumn, …` for a select list.
package func prefixedColumns(_ alias: String, _ prefix: String, _ columns: [String]) -> String {
    columns.map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
}
