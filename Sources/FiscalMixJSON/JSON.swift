/// A JSON value shared by the transform engines (JMESPath, JSONata, JSON Schema).
///
/// Numbers keep their exact text (`1234.56` stays `1234.56` on a round trip, integers keep all
/// 64 bits); objects keep their key order.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSON { .number(JSONNumber(value)) }
    public static func double(_ value: Double) -> JSON { .number(JSONNumber(value)) }

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n }; return nil }

    public subscript(key: String) -> JSON? { objectValue?[key] }
}

/// An ordered JSON object: keys in insertion order, unique.
///
/// Entries live in two parallel arrays. Small objects (most JSON objects: API records, fiscal
/// document groups) are searched linearly, which beats hashing the key; an object past
/// `indexThreshold` keys also keeps a hash index.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSON] = []
    private var index: [String: Int]?

    private static let indexThreshold = 12

    public init() {}

    public init(_ pairs: [(String, JSON)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public subscript(key: String) -> JSON? {
        get { position(of: key).map { values[$0] } }
        set {
            if let newValue {
                if let at = position(of: key) {
                    values[at] = newValue
                } else {
                    keys.append(key)
                    values.append(newValue)
                    if index != nil {
                        index![key] = keys.count - 1
                    } else if keys.count > Self.indexThreshold {
                        index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
                    }
                }
            } else if let at = position(of: key) {
                keys.remove(at: at)
                values.remove(at: at)
                if index != nil {
                    index = keys.count > Self.indexThreshold ? Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }) : nil
                }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func makeIterator() -> AnyIterator<(key: String, value: JSON)> {
        var at = 0
        let keys = keys, values = values
        return AnyIterator {
            guard at < keys.count else { return nil }
            defer { at += 1 }
            return (keys[at], values[at])
        }
    }

    /// Objects are equal when they hold the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (at, key) in lhs.keys.enumerated() {
            guard let other = rhs[key], other == lhs.values[at] else { return false }
        }
        return true
    }

    /// Order-independent, as equality is.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (at, key) in keys.enumerated() {
            var entry = Hasher()
            entry.combine(key)
            entry.combine(values[at])
            combined ^= entry.finalize()
        }
        hasher.combine(keys.count)
        hasher.combine(combined)
    }
}
