import FiscalMixJSON
import Foundation

/// The built-in functions of the specification, with its argument type rules.
extension Interpreter {
    enum ArgType {
        case any, number, string, boolean, array, object, expref, arrayOfNumbers, arrayOfStrings, arrayOrString, arrayOrObject

        func accepts(_ value: Value) -> Bool {
            switch (self, value) {
            case (.expref, .expref): return true
            case (.expref, _), (_, .expref): return false
            case (.any, _): return true
            case (.number, .json(.number)), (.string, .json(.string)), (.boolean, .json(.bool)), (.array, .json(.array)),
                (.object, .json(.object)), (.arrayOrString, .json(.array)), (.arrayOrString, .json(.string)):
                return true
            case (.arrayOfNumbers, .json(.array(let items))): return items.allSatisfy { $0.numberValue != nil }
            case (.arrayOfStrings, .json(.array(let items))): return items.allSatisfy { $0.stringValue != nil }
            default: return false
            }
        }
    }

    static let signatures: [String: (args: [ArgType], variadic: Bool)] = [
        "abs": ([.number], false), "avg": ([.arrayOfNumbers], false), "ceil": ([.number], false),
        "contains": ([.arrayOrString, .any], false), "ends_with": ([.string, .string], false), "floor": ([.number], false),
        "join": ([.string, .arrayOfStrings], false), "keys": ([.object], false), "length": ([.any], false),
        "map": ([.expref, .array], false), "max": ([.array], false), "max_by": ([.array, .expref], false),
        "merge": ([.object], true), "min": ([.array], false), "min_by": ([.array, .expref], false),
        "not_null": ([.any], true), "reverse": ([.arrayOrString], false), "sort": ([.array], false),
        "sort_by": ([.array, .expref], false), "starts_with": ([.string, .string], false), "sum": ([.arrayOfNumbers], false),
        "to_array": ([.any], false), "to_string": ([.any], false), "to_number": ([.any], false), "type": ([.any], false),
        "values": ([.object], false),
    ]

    mutating func call(_ name: String, _ args: [Value], position: Int) throws(JMESPathError) -> JSON {
        guard let signature = Self.signatures[name] else {
            throw JMESPathError(.unknownFunction, "unknown function \(name)()", position: position)
        }
        let arityOK = signature.variadic ? args.count >= signature.args.count : args.count == signature.args.count
        guard arityOK else {
            throw JMESPathError(
                .invalidArity, "\(name)() takes \(signature.variadic ? "at least " : "")\(signature.args.count) argument(s), got \(args.count)",
                position: position)
        }
        for (i, arg) in args.enumerated() {
            let expected = i < signature.args.count ? signature.args[i] : signature.args.last!
            guard expected.accepts(arg) else {
                throw JMESPathError(.invalidType, "argument \(i + 1) of \(name)() has the wrong type", position: position)
            }
        }
        func json(_ i: Int) -> JSON { if case .json(let j) = args[i] { return j }; return .null }
        func expref(_ i: Int) -> Node { if case .expref(let n) = args[i] { return n }; return .current }
        func invalid(_ why: String) -> JMESPathError { JMESPathError(.invalidType, "\(name)(): \(why)", position: position) }

        switch name {
        case "abs":
            let n = json(0).numberValue!
            if let i = n.int64Value, i != .min { return .number(JSONNumber(abs(i))) }
            if let d = n.decimalValue { return .number(JSONNumber(decimal: abs(d))) }
            return .double(abs(n.doubleValue))
        case "avg":
            let items = json(0).arrayValue!
            guard !items.isEmpty else { return .null }
            return Self.sum(items) { total in total / Decimal(items.count) }
                ?? .double(items.reduce(0) { $0 + $1.numberValue!.doubleValue } / Double(items.count))
        case "ceil", "floor":
            let n = json(0).numberValue!
            if n.isInteger { return .number(n) }
            if let d = n.decimalValue {
                var input = d, rounded = Decimal()
                NSDecimalRound(&rounded, &input, 0, name == "ceil" ? .up : .down)
                return .number(JSONNumber(decimal: rounded))
            }
            return .double(name == "ceil" ? n.doubleValue.rounded(.up) : n.doubleValue.rounded(.down))
        case "contains":
            switch json(0) {
            case .array(let items): return .bool(items.contains(json(1)))
            case .string(let s):
                guard case .string(let needle) = json(1) else { return .bool(false) }
                return .bool(needle.isEmpty || s.contains(needle))
            default: return .bool(false)
            }
        case "ends_with": return .bool(json(0).stringValue!.unicodeScalars.elementsEqualSuffix(json(1).stringValue!.unicodeScalars))
        case "starts_with": return .bool(json(0).stringValue!.unicodeScalars.starts(with: json(1).stringValue!.unicodeScalars))
        case "join":
            return .string(json(1).arrayValue!.map { $0.stringValue! }.joined(separator: json(0).stringValue!))
        case "keys": return .array(json(0).objectValue!.keys.map { .string($0) })
        case "values": return .array(json(0).objectValue!.values)
        case "length":
            switch json(0) {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .array(let a): return .int(a.count)
            case .object(let o): return .int(o.count)
            default: throw invalid("expects a string, array or object")
            }
        case "map":
            var out: [JSON] = []
            for element in json(1).arrayValue! { out.append(try visit(expref(0), element)) }
            return .array(out)
        case "max", "min":
            let items = json(0).arrayValue!
            guard let first = items.first else { return .null }
            try Self.requireSortable(items, invalid)
            let pick = items.dropFirst().reduce(first) { best, next in
                let c = Self.order(next, best)
                return (name == "max" ? c > 0 : c < 0) ? next : best
            }
            return pick
        case "max_by", "min_by":
            let items = json(0).arrayValue!
            guard !items.isEmpty else { return .null }
            let keys = try keysFor(items, expref(1), invalid)
            var bestIndex = 0
            for i in 1..<items.count {
                let c = Self.order(keys[i], keys[bestIndex])
                if name == "max_by" ? c > 0 : c < 0 { bestIndex = i }
            }
            return items[bestIndex]
        case "merge":
            var merged = JSONObject()
            for i in args.indices { for (k, v) in json(i).objectValue! { merged[k] = v } }
            return .object(merged)
        case "not_null":
            for i in args.indices where json(i) != .null { return json(i) }
            return .null
        case "reverse":
            if case .string(let s) = json(0) { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .array(json(0).arrayValue!.reversed())
        case "sort":
            let items = json(0).arrayValue!
            try Self.requireSortable(items, invalid)
            try spend(items.count)
            return .array(Self.stableSorted(items.indices.map { (items[$0], items[$0]) }).map(\.1))
        case "sort_by":
            let items = json(0).arrayValue!
            guard !items.isEmpty else { return .array([]) }
            let keys = try keysFor(items, expref(1), invalid)
            return .array(Self.stableSorted(Array(zip(keys, items))).map(\.1))
        case "sum":
            let items = json(0).arrayValue!
            return Self.sum(items) { $0 } ?? .double(items.reduce(0) { $0 + $1.numberValue!.doubleValue })
        case "to_array":
            if case .array = json(0) { return json(0) }
            return .array([json(0)])
        case "to_string":
            if case .string = json(0) { return json(0) }
            return .string(json(0).serialized())
        case "to_number":
            switch json(0) {
            case .number: return json(0)
            case .string(let s):
                guard let parsed = try? JSON(parsing: s), case .number = parsed else { return .null }
                return parsed
            default: return .null
            }
        case "type": return .string(json(0).typeName)
        default:
            throw JMESPathError(.unknownFunction, "unknown function \(name)()", position: position)
        }
    }

    /// Evaluates the key expression per element; keys must be all numbers or all strings.
    mutating func keysFor(_ items: [JSON], _ key: Node, _ invalid: (String) -> JMESPathError) throws(JMESPathError) -> [JSON] {
        var keys: [JSON] = []
        for item in items { keys.append(try visit(key, item)) }
        try Self.requireSortable(keys, invalid)
        return keys
    }

    static func requireSortable(_ items: [JSON], _ invalid: (String) -> JMESPathError) throws(JMESPathError) {
        guard let first = items.first else { return }
        switch first {
        case .number: if !items.allSatisfy({ $0.numberValue != nil }) { throw invalid("values must all be numbers or all strings") }
        case .string: if !items.allSatisfy({ $0.stringValue != nil }) { throw invalid("values must all be numbers or all strings") }
        default: throw invalid("values must all be numbers or all strings")
        }
    }

    /// Numbers by value; strings by code point (as the reference implementation compares them).
    static func order(_ a: JSON, _ b: JSON) -> Int {
        switch (a, b) {
        case (.number(let x), .number(let y)): return JSONNumber.compare(x, y)
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : (x == y ? 0 : 1)
        default: return 0
        }
    }

    static func stableSorted(_ pairs: [(JSON, JSON)]) -> [(JSON, JSON)] {
        pairs.enumerated().sorted { lhs, rhs in
            let c = order(lhs.element.0, rhs.element.0)
            return c != 0 ? c < 0 : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// Exact decimal sum when every number has an exact decimal form.
    static func sum(_ items: [JSON], _ finish: (Decimal) -> Decimal) -> JSON? {
        guard let total = JSONNumber.exactSum(items.compactMap(\.numberValue)) else { return nil }
        return .number(JSONNumber(decimal: finish(total)))
    }
}

extension String.UnicodeScalarView {
    func elementsEqualSuffix(_ suffix: String.UnicodeScalarView) -> Bool {
        guard suffix.count <= count else { return false }
        return self.reversed().starts(with: suffix.reversed())
    }
}
