import FiscalMixJSON
import Foundation

/// Decodes a JSON column's text. The shapes these columns mostly hold — a list of strings, a
/// map of strings to strings, a list of numbers — are read with FiscalMixJSON's parser; any
/// other type, or text without that shape, goes to Foundation's `JSONDecoder`, which says what
/// is wrong. Why: a webhook endpoint is decoded for every delivery, and decoding it — three JSON
/// columns through `JSONDecoder`, a decoder made and torn down per column, among its twenty — was
/// ~2.5% of all CPU samples of a saturated webhook benchmark (perf, inclusive). One difference,
/// for text no column holds: an object with a repeated key keeps the last value (as PostgreSQL's
/// jsonb stores it), where JSONDecoder keeps the first; FiscalMix writes these columns from
/// dictionaries.
package func decodeJSONColumn<T: Decodable>(_ text: String, as type: T.Type = T.self) throws -> T {
    if let value = commonShape(text, as: type) { return value }
    return try JSONDecoder().decode(T.self, from: Data(text.utf8))
}

private func commonShape<T>(_ text: String, as type: T.Type) -> T? {
    guard T.self == [String].self || T.self == [String: String].self || T.self == [Double].self,
        let json = try? JSON(parsing: text)
    else { return nil }
    if T.self == [String: String].self {
        guard let object = json.objectValue else { return nil }
        var map: [String: String] = [:]
        for (key, value) in object {
            guard let string = value.stringValue else { return nil }
            map[key] = string
        }
        return map as? T
    }
    guard let items = json.arrayValue else { return nil }
    if T.self == [String].self {
        var strings: [String] = []
        strings.reserveCapacity(items.count)
        for item in items {
            guard let string = item.stringValue else { return nil }
            strings.append(string)
        }
        return strings as? T
    }
    var numbers: [Double] = []
    numbers.reserveCapacity(items.count)
    for item in items {
        // Out of Double's range: JSONDecoder refuses it, so let it say so.
        guard let number = item.numberValue?.doubleValue, number.isFinite else { return nil }
        numbers.append(number)
    }
    return numbers as? T
}
