import FiscalMixJSON

struct Interpreter {
    var budget: Int

    mutating func spend(_ steps: Int = 1) throws(JMESPathError) {
        budget -= steps
        if budget < 0 { throw JMESPathError(.limitExceeded, "evaluation exceeded its step budget") }
    }

    mutating func visit(_ node: Node, _ value: JSON) throws(JMESPathError) -> JSON {
        try spend()
        switch node {
        case .current:
            return value
        case .field(let name):
            // Matched in place: `objectValue` would copy the object (three references) per step.
            guard case .object(let object) = value else { return .null }
            return object[name] ?? .null
        case .subexpression(let left, let right):
            return try visit(right, try visit(left, value))
        case .index(let i):
            guard case .array(let items) = value else { return .null }
            let position = i < 0 ? items.count + i : i
            return items.indices.contains(position) ? items[position] : .null
        case .slice(let start, let stop, let step):
            guard case .array(let items) = value else { return .null }
            return .array(try Self.slice(items, start, stop, step))
        case .indexExpression(let left, let right):
            return try visit(right, try visit(left, value))
        case .projection(.flatten(let inner), let right):
            // `a[].b`: projected straight off the nested arrays, without building the flattened
            // array first (it held a copy of every element only to be walked once).
            try spend()
            guard case .array(let base) = try visit(inner, value) else { return .null }
            return .array(try collectFlattened(base, right))
        case .projection(let left, let right):
            guard case .array(let base) = try visit(left, value) else { return .null }
            return .array(try collect(base, right))
        case .valueProjection(let left, let right):
            guard case .object(let base) = try visit(left, value) else { return .null }
            return .array(try collect(base.values, right))
        case .flatten(let inner):
            guard case .array(let base) = try visit(inner, value) else { return .null }
            var merged: [JSON] = []
            merged.reserveCapacity(base.count)
            for element in base {
                if case .array(let nested) = element { merged.append(contentsOf: nested) } else { merged.append(element) }
            }
            try spend(merged.count)
            return .array(merged)
        case .filterProjection(let left, let right, let condition):
            guard case .array(let base) = try visit(left, value) else { return .null }
            var out: [JSON] = []
            for element in base where Self.isTruthy(try visit(condition, element)) {
                let projected = try visit(right, element)
                if !Self.isNull(projected) { out.append(projected) }
            }
            return .array(out)
        case .pipe(let left, let right):
            return try visit(right, try visit(left, value))
        case .or(let left, let right):
            let l = try visit(left, value)
            return Self.isTruthy(l) ? l : try visit(right, value)
        case .and(let left, let right):
            let l = try visit(left, value)
            return Self.isTruthy(l) ? try visit(right, value) : l
        case .not(let inner):
            return .bool(!Self.isTruthy(try visit(inner, value)))
        case .comparator(let op, let left, let right):
            return Self.compare(op, try visit(left, value), try visit(right, value))
        case .multiSelectList(let items):
            if Self.isNull(value) { return .null }
            var out: [JSON] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try visit(item, value)) }
            return .array(out)
        case .multiSelectHash(let keys, let items, let distinctKeys):
            if Self.isNull(value) { return .null }
            if distinctKeys {
                var values: [JSON] = []
                values.reserveCapacity(items.count)
                for item in items { values.append(try visit(item, value)) }
                return .object(JSONObject(uniqueKeys: keys, values: values))
            }
            var object = JSONObject(capacity: keys.count)
            for (key, item) in zip(keys, items) { object[key] = try visit(item, value) }
            return .object(object)
        case .literal(let json):
            return json
        case .expref:
            // Only meaningful as a function argument; elsewhere it evaluates to null.
            return .null
        case .function(let name, let arguments, let position):
            var resolved: [Value] = []
            for argument in arguments {
                if case .expref(let inner) = argument { resolved.append(.expref(inner)) } else { resolved.append(.json(try visit(argument, value))) }
            }
            return try call(name, resolved, position: position)
        }
    }

    mutating func collect(_ base: [JSON], _ right: Node) throws(JMESPathError) -> [JSON] {
        var out: [JSON] = []
        out.reserveCapacity(base.count)
        for element in base { try project(element, right, into: &out) }
        return out
    }

    /// `collect` over `base` flattened one level (the `[]` operator), element by element.
    mutating func collectFlattened(_ base: [JSON], _ right: Node) throws(JMESPathError) -> [JSON] {
        var out: [JSON] = []
        out.reserveCapacity(base.count)
        for element in base {
            if case .array(let nested) = element {
                try spend(nested.count)
                for item in nested { try project(item, right, into: &out) }
            } else {
                try spend()
                try project(element, right, into: &out)
            }
        }
        return out
    }

    /// One element of a projection: its value under `right`, kept unless null.
    @inline(__always)
    mutating func project(_ element: JSON, _ right: Node, into out: inout [JSON]) throws(JMESPathError) {
        let projected = try visit(right, element)
        if !Self.isNull(projected) { out.append(projected) }
    }

    /// A pattern match, not `==`: equality on `JSON` is the general (recursive) comparison.
    @inline(__always)
    static func isNull(_ value: JSON) -> Bool { if case .null = value { return true }; return false }

    static func isTruthy(_ value: JSON) -> Bool {
        switch value {
        case .null: false
        case .bool(let b): b
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        case .number: true
        }
    }

    static func compare(_ op: Node.Comparator, _ left: JSON, _ right: JSON) -> JSON {
        switch op {
        case .eq: return .bool(left == right)
        case .ne: return .bool(left != right)
        default:
            guard case .number(let a) = left, case .number(let b) = right else { return .null }
            let c = JSONNumber.compare(a, b)
            switch op {
            case .lt: return .bool(c < 0)
            case .lte: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        }
    }

    /// Python slice semantics (the reference implementation's).
    static func slice(_ items: [JSON], _ start: Int?, _ stop: Int?, _ step: Int?) throws(JMESPathError) -> [JSON] {
        let step = step ?? 1
        guard step != 0 else { throw JMESPathError(.invalidValue, "slice step cannot be 0") }
        let count = items.count
        func bound(_ value: Int?, _ defaultValue: Int) -> Int {
            guard var v = value else { return defaultValue }
            if v < 0 {
                v += count
                if v < 0 { v = step < 0 ? -1 : 0 }
            } else if v >= count {
                v = step < 0 ? count - 1 : count
            }
            return v
        }
        let begin = bound(start, step < 0 ? count - 1 : 0)
        let end = bound(stop, step < 0 ? -1 : count)
        var out: [JSON] = []
        var i = begin
        if step > 0 {
            while i < end { out.append(items[i]); i += step }
        } else {
            while i > end { out.append(items[i]); i += step }
        }
        return out
    }
}
