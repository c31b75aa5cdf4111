import FiscalMixJSON
import Foundation

/// A value during JSONata evaluation. `nil` (`Value?`) is JSONata's *undefined* — no value at all —
/// which is different from `null`.
///
/// Numbers are IEEE doubles, as in the language's reference implementation; arrays and objects
/// are reference types because the language attaches flags to sequences and the transform operator
/// edits a copy in place.
enum Value {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array(JArray)
    case object(JObject)
    case function(JFunction)

    var isArray: Bool { if case .array = self { return true }; return false }
    var arrayValue: JArray? { if case .array(let a) = self { return a }; return nil }
    var objectValue: JObject? { if case .object(let o) = self { return o }; return nil }
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var numberValue: Double? { if case .number(let n) = self { return n }; return nil }
    var functionValue: JFunction? { if case .function(let f) = self { return f }; return nil }
    var isFunction: Bool { if case .function = self { return true }; return false }

    /// A sequence: an array the evaluator made, flattened into paths and collapsed when single.
    var isSequence: Bool { arrayValue?.isSequence ?? false }
}

/// An array with the flags the evaluator attaches to it.
final class JArray {
    var items: [Value]
    /// Made by the evaluator (a result sequence), not an array in the data.
    var isSequence = false
    /// A singleton is kept as an array (`[]` after a step).
    var keepSingleton = false
    /// Built by an array constructor `[...]`: not flattened by a path step.
    var cons = false
    /// The top-level input array wrapped so that `$` sees it whole.
    var outerWrapper = false
    /// A stream of tuples (objects binding `@`, focus, index and ancestor variables).
    var tupleStream = false

    init(_ items: [Value] = [], sequence: Bool = false) {
        self.items = items
        self.isSequence = sequence
    }

    static func sequence(_ items: [Value] = []) -> JArray { JArray(items, sequence: true) }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    func append(_ value: Value) { items.append(value) }
    subscript(index: Int) -> Value { items[index] }
}

/// An object: keys in insertion order. Small objects are searched linearly (faster than hashing
/// the key); larger ones keep a hash index.
final class JObject {
    private(set) var keys: [String] = []
    private(set) var values: [Value] = []
    private var index: [String: Int]?

    private static let indexThreshold = 12

    init() {}

    init(_ pairs: [(String, Value)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    subscript(key: String) -> Value? {
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

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    var entries: [(key: String, value: Value)] { (0..<keys.count).map { (keys[$0], values[$0]) } }

    func copy() -> JObject {
        let other = JObject()
        other.keys = keys
        other.values = values
        other.index = index
        return other
    }
}

// MARK: - Conversion to and from the shared JSON value

extension Value {
    init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n.doubleValue)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(JArray(items.map(Value.init)))
        case .object(let object):
            self = .object(JObject(object.map { ($0.key, Value($0.value)) }))
        }
    }

    /// The JSON form of a result. Functions become `""` (as `$string` renders them); a non-finite
    /// number cannot occur in a result (arithmetic that produces one raises D1001).
    var json: JSON {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d):
            if d.rounded() == d, abs(d) < 9.007_199_254_740_992e15 { return .int(Int(d)) }
            return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.items.map(\.json))
        case .object(let o): return .object(JSONObject(o.entries.map { ($0.key, $0.value.json) }))
        case .function: return .string("")
        }
    }
}
