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

/// An object: keys in insertion order (an `OrderedKeyStore`), a reference type because the
/// transform operator edits a copy in place.
final class JObject {
    private var store = OrderedKeyStore<Value>()

    var keys: [String] { store.keys }
    var values: [Value] { store.values }

    init() {}

    init(capacity: Int) { store = OrderedKeyStore(capacity: capacity) }

    /// Adds a member the caller knows is not there yet (no search for an existing key).
    func appendNew(_ key: String, _ value: Value) { store.appendNew(key, value) }

    init(_ pairs: [(String, Value)]) {
        store = OrderedKeyStore(capacity: pairs.count)
        for (key, value) in pairs { store[key] = value }
    }

    subscript(key: String) -> Value? {
        // Inlined, so that a caller passing the value straight on to a `releasenone` function
        // (a path's walk through nested objects) reads it in place instead of taking a copy.
        @inline(__always) get { store[key] }
        set { store[key] = newValue }
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    var entries: [(key: String, value: Value)] { (0..<keys.count).map { (keys[$0], values[$0]) } }

    func copy() -> JObject {
        let other = JObject()
        other.store = store
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
        case .object(let o):
            var object = JSONObject(capacity: o.count)
            let keys = o.keys, values = o.values
            for at in keys.indices { object.appendNew(keys[at], values[at].json) }
            return .object(object)
        case .function: return .string("")
        }
    }
}
