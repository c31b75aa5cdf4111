import SQLKit

/// One table's columns inside a joined row, read under their own names: the query selects them
/// as `<prefix><column>`, and the table's decoder reads `column`.
struct PrefixedRow: SQLRow {
    let row: any SQLRow
    let prefix: String

    var allColumns: [String] { row.allColumns.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
    func contains(column: String) -> Bool { row.contains(column: prefix + column) }
    func decodeNil(column: String) throws -> Bool { try row.decodeNil(column: prefix + column) }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D { try row.decode(column: prefix + column, as: D.self) }
}

/// `alias.column AS prefixcolumn, …` for a select list.
func prefixedColumns(_ alias: String, _ prefix: String, _ columns: [String]) -> String {
    columns.map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
}
