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

/// An ordered JSON object: keys in insertion order, unique (stored in an `OrderedKeyStore`).
public struct JSONObject: Sendable, Hashable, Sequence {
    @usableFromInline var store = OrderedKeyStore<JSON>()

    public var keys: [String] { store.keys }
    public var values: [JSON] { store.values }

    public init() {}

    /// An empty object with room for `capacity` members.
    public init(capacity: Int) { store = OrderedKeyStore(capacity: capacity) }

    /// Adds a member whose key the caller knows is not there yet (converting an object whose
    /// keys are already unique), skipping the search for it.
    public mutating func appendNew(_ key: String, _ value: JSON) { store.appendNew(key, value) }

    /// An object from keys the caller knows are distinct and their values, in order (see
    /// `OrderedKeyStore.init(uniqueKeys:values:)`).
    public init(uniqueKeys keys: [String], values: [JSON]) { store = OrderedKeyStore(uniqueKeys: keys, values: values) }

    public init(_ pairs: [(String, JSON)]) {
        store = OrderedKeyStore(capacity: pairs.count)
        for (key, value) in pairs { store[key] = value }
    }

    /// Inlinable, so that a caller that only reads the value (a validator passing it on to the
    /// next subschema) can read it where it is stored instead of receiving a copy.
    @inlinable public subscript(key: String) -> JSON? {
        get { store[key] }
        set { store[key] = newValue }
    }

    /// Whether the object has the key (without copying its value out).
    @inlinable public func contains(_ key: String) -> Bool { store.position(of: key) != nil }

    public var count: Int { store.count }
    public var isEmpty: Bool { store.isEmpty }

    public func makeIterator() -> Iterator { Iterator(keys: keys, values: values) }

    /// Members in order. A concrete iterator (not `AnyIterator`): validators and evaluators walk
    /// every object of a document through it.
    public struct Iterator: IteratorProtocol {
        let keys: [String]
        let values: [JSON]
        var at = 0

        public mutating func next() -> (key: String, value: JSON)? {
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
