public import Foundation
public import SQLKit

extension SQLRow {
    /// Decodes a column, inferring the type from context. Inlinable: the slices call it for
    /// every column of every row, and across the module boundary it would run unspecialized.
    @inlinable
    package func get<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(column: column, as: T.self)
    }

    /// Decodes a text column holding one of a closed set of values.
    @inlinable
    package func enumValue<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = T(rawValue: raw) else {
            throw StorageError.corruptRow("column \(column) holds unknown value '\(raw)'")
        }
        return value
    }

    /// Decodes a JSON column (jsonb on PostgreSQL, text on SQLite) into a Decodable value.
    package func jsonValue<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decodeJSONColumn(try decode(column: column, as: String.self), as: T.self)
    }
}

public enum StorageError: Error, CustomStringConvertible {
    case corruptRow(String)
    case invalidConfiguration(String)
    public var description: String {
        switch self {
        case .corruptRow(let why): "corrupt row: \(why)"
        case .invalidConfiguration(let why): why
        }
    }
}

/// JSON text for binding into JSON columns; keys sorted so equal values store equally.
package func jsonText(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
}

extension UUID {
    /// Stands in for NULL in a uuid[] bound for `unnest` (array elements cannot be NULL there);
    /// the insert's bit mask says which entries are NULL.
    package static let unnestPlaceholder = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
