import FiscalMixJSON
import Foundation

/// Evaluates compiled nodes against an instance, collecting the annotations the `unevaluated*`
/// keywords need (which properties and items were evaluated by successful subschemas) and the
/// errors of the basic output format.
/// `JSONSchema.validate` runs it for an invalid instance only (see SchemaValidity.swift), and for
/// every instance of a schema that needs annotations or the dynamic scope.
struct SchemaEvaluator {
    struct Outcome {
        var valid = true
        var properties: Set<String> = []
        var items: Set<Int> = []
        var errors: [ValidationError] = []

        mutating func absorbAnnotations(_ other: Outcome) {
            properties.formUnion(other.properties)
            items.formUnion(other.items)
        }
    }

    let schema: JSONSchema
    let budget: Budget

    /// Counts subschema evaluations across the whole validation, so a hostile schema and
    /// instance pair (deep `anyOf` nesting over a large array) stops instead of running for hours.
    final class Budget {
        var remaining: Int
        init(_ steps: Int) { remaining = steps }
    }

    init(schema: JSONSchema) {
        self.schema = schema
        budget = Budget(schema.options.maxSteps)
    }

    func evaluate(
        _ index: Int, _ instance: JSON, instanceLocation: Location, keywordLocation: Location, scope: [Int],
        depth: Int
    ) -> Outcome {
        // The node's fields are read from the array in place (`schema.nodes[index].…`): copying
        // the whole node would retain its keyword list and location string at every subschema of
        // every instance value.
        var outcome = Outcome()
        func fail(_ keyword: String, _ message: String) {
            outcome.valid = false
            outcome.errors.append(
                ValidationError(
                    instanceLocation: instanceLocation.pointer, keywordLocation: keywordLocation.pointer + "/" + keyword,
                    absoluteKeywordLocation: schema.nodes[index].location + "/" + keyword, message: message))
        }
        if let constant = schema.nodes[index].constant {
            if !constant {
                outcome.valid = false
                outcome.errors.append(
                    ValidationError(
                        instanceLocation: instanceLocation.pointer, keywordLocation: keywordLocation.pointer,
                        absoluteKeywordLocation: schema.nodes[index].location, message: "no value is allowed here"))
            }
            return outcome
        }
        guard depth < schema.options.maxDepth else {
            fail("", "schema evaluation exceeded \(schema.options.maxDepth) nested levels (a $ref cycle?)")
            return outcome
        }
        budget.remaining -= 1
        guard budget.remaining >= 0 else {
            fail("", "schema evaluation exceeded \(schema.options.maxSteps) steps")
            return outcome
        }
        var scope = scope
        if schema.usesDynamicScope, scope.last != schema.nodes[index].resource { scope.append(schema.nodes[index].resource) }

        /// Evaluates a subschema; merges its errors on failure, its annotations on success.
        func sub(_ child: Int, _ value: JSON, _ iloc: Location, _ kstep: Location.Step) -> Outcome {
            evaluate(child, value, instanceLocation: iloc, keywordLocation: keywordLocation.appending(kstep), scope: scope, depth: depth + 1)
        }
        let tracksAnnotations = schema.tracksAnnotations

        for keyword in schema.nodes[index].keywords {
            switch keyword {
            case .ref(let target):
                let r = sub(target, instance, instanceLocation, .keyword("$ref"))
                if r.valid { outcome.absorbAnnotations(r) } else { outcome.valid = false; outcome.errors += r.errors }
            case .dynamicRef(var target, let anchor):
                if let anchor {
                    for resource in scope {
                        if let found = schema.resources[resource].dynamicAnchors[anchor] { target = found; break }
                    }
                }
                let r = sub(target, instance, instanceLocation, .keyword("$dynamicRef"))
                if r.valid { outcome.absorbAnnotations(r) } else { outcome.valid = false; outcome.errors += r.errors }
            case .allOf(let children):
                for (i, child) in children.enumerated() {
                    let r = sub(child, instance, instanceLocation, .keywordIndex("allOf", i))
                    if r.valid { outcome.absorbAnnotations(r) } else { outcome.valid = false; outcome.errors += r.errors }
                }
            case .anyOf(let children):
                var any = false
                var errors: [ValidationError] = []
                for (i, child) in children.enumerated() {
                    let r = sub(child, instance, instanceLocation, .keywordIndex("anyOf", i))
                    if r.valid { any = true; outcome.absorbAnnotations(r) } else { errors += r.errors }
                }
                if !any { fail("anyOf", "matches none of the alternatives"); outcome.errors += errors }
            case .oneOf(let children):
                var matches = 0
                var errors: [ValidationError] = []
                var annotations = Outcome()
                for (i, child) in children.enumerated() {
                    let r = sub(child, instance, instanceLocation, .keywordIndex("oneOf", i))
                    if r.valid { matches += 1; annotations.absorbAnnotations(r) } else { errors += r.errors }
                }
                if matches == 1 {
                    outcome.absorbAnnotations(annotations)
                } else if matches == 0 {
                    fail("oneOf", "matches none of the alternatives")
                    outcome.errors += errors
                } else {
                    fail("oneOf", "matches \(matches) alternatives; exactly one is allowed")
                }
            case .not(let child):
                if sub(child, instance, instanceLocation, .keyword("not")).valid { fail("not", "must not match the schema") }
            case .conditional(let condition, let then, let otherwise):
                let c = sub(condition, instance, instanceLocation, .keyword("if"))
                if c.valid {
                    outcome.absorbAnnotations(c)
                    if let then {
                        let r = sub(then, instance, instanceLocation, .keyword("then"))
                        if r.valid { outcome.absorbAnnotations(r) } else { outcome.valid = false; outcome.errors += r.errors }
                    }
                } else if let otherwise {
                    let r = sub(otherwise, instance, instanceLocation, .keyword("else"))
                    if r.valid { outcome.absorbAnnotations(r) } else { outcome.valid = false; outcome.errors += r.errors }
                }
            case .dependentSchemas(let dependencies):
                guard case .object(let o) = instance else { continue }
                for (name, child) in dependencies where o.contains(name) {
                    let r = sub(child, instance, instanceLocation, .keywordKey("dependentSchemas", name))
                    if r.valid { outcome.absorbAnnotations(r) } else { outcome.valid = false; outcome.errors += r.errors }
                }
            case .prefixItems(let children):
                guard case .array(let a) = instance else { continue }
                for (i, child) in children.enumerated() where i < a.count {
                    let r = sub(child, a[i], instanceLocation.appending(i), .keywordIndex("prefixItems", i))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                    if tracksAnnotations { outcome.items.insert(i) }
                }
            case .items(let child, let prefixCount):
                guard case .array(let a) = instance, a.count > prefixCount else { continue }
                for i in prefixCount..<a.count {
                    let r = sub(child, a[i], instanceLocation.appending(i), .keyword("items"))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                    if tracksAnnotations { outcome.items.insert(i) }
                }
            case .contains(let child, let minimum, let maximum):
                guard case .array(let a) = instance else { continue }
                var matched = 0
                for (i, item) in a.enumerated() where sub(child, item, instanceLocation.appending(i), .keyword("contains")).valid {
                    matched += 1
                    if tracksAnnotations { outcome.items.insert(i) }
                }
                if matched < minimum { fail(minimum == 1 ? "contains" : "minContains", "contains \(matched) matching items, fewer than \(minimum)") }
                if let maximum, matched > maximum { fail("maxContains", "contains \(matched) matching items, more than \(maximum)") }
            case .properties(let children):
                guard case .object(let o) = instance else { continue }
                for (name, child) in children {
                    guard let value = o[name] else { continue }
                    let r = sub(child, value, instanceLocation.appending(name), .keywordKey("properties", name))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                    if tracksAnnotations { outcome.properties.insert(name) }
                }
            case .patternProperties(let children):
                guard case .object(let o) = instance else { continue }
                for (regex, child) in children {
                    for (name, value) in o where regex.matches(name, budget: budget) {
                        let r = sub(child, value, instanceLocation.appending(name), .keywordKey("patternProperties", regex.source))
                        if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                        if tracksAnnotations { outcome.properties.insert(name) }
                    }
                }
            case .additionalProperties(let child, let known, let patterns):
                guard case .object(let o) = instance else { continue }
                for (name, value) in o where !known.contains(name) && !patterns.contains(where: { $0.matches(name, budget: budget) }) {
                    let r = sub(child, value, instanceLocation.appending(name), .keyword("additionalProperties"))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                    if tracksAnnotations { outcome.properties.insert(name) }
                }
            case .propertyNames(let child):
                guard case .object(let o) = instance else { continue }
                for name in o.keys {
                    let r = sub(child, .string(name), instanceLocation.appending(name), .keyword("propertyNames"))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                }
            case .unevaluatedItems(let child):
                guard case .array(let a) = instance else { continue }
                for i in a.indices where !outcome.items.contains(i) {
                    let r = sub(child, a[i], instanceLocation.appending(i), .keyword("unevaluatedItems"))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                    if tracksAnnotations { outcome.items.insert(i) }
                }
            case .unevaluatedProperties(let child):
                guard case .object(let o) = instance else { continue }
                for (name, value) in o where !outcome.properties.contains(name) {
                    let r = sub(child, value, instanceLocation.appending(name), .keyword("unevaluatedProperties"))
                    if !r.valid { outcome.valid = false; outcome.errors += r.errors }
                    if tracksAnnotations { outcome.properties.insert(name) }
                }
            default:  // a leaf assertion
                if !holds(keyword, instance) { fail(keyword.name, failureMessage(keyword, instance)) }
            }
        }
        return outcome
    }

    /// JSON equality as JSON Schema defines it: numbers by value (1 = 1.0), booleans apart from
    /// numbers, strings code point by code point (Swift's `==` would equate "é" with "e\u{301}").
    static func identical(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return sameBytes(x, y)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], identical(value, other) else { return false }
            }
            return true
        default:
            return a == b
        }
    }

    /// Whether two strings have the same UTF-8 bytes (so the same code points), compared as
    /// memory: an `enum` of strings asks this of every instance value it checks.
    static func sameBytes(_ x: String, _ y: String) -> Bool {
        guard x.utf8.count == y.utf8.count else { return false }
        var x = x, y = y
        return x.withUTF8 { a in y.withUTF8 { b in a.elementsEqual(b) } }
    }

    /// The first pair of equal items, found through hashing (Swift's equality is coarser than
    /// `identical`, so it only narrows the candidates).
    static func firstDuplicate(_ items: [JSON]) -> (Int, Int)? {
        if items.count <= 16 {  // a few comparisons beat building a dictionary of hashes
            for j in items.indices {
                for i in 0..<j where identical(items[i], items[j]) { return (i, j) }
            }
            return nil
        }
        var seen: [JSON: [Int]] = [:]
        for (j, item) in items.enumerated() {
            if let candidates = seen[item], let i = candidates.first(where: { identical(items[$0], item) }) { return (i, j) }
            seen[item, default: []].append(j)
        }
        return nil
    }

    static func isMultiple(_ value: JSONNumber, of divisor: JSONNumber) -> Bool {
        if let a = value.int64Value, let b = divisor.int64Value, b != 0, !value.isBinary, !divisor.isBinary { return a % b == 0 }
        if !value.isBinary, !divisor.isBinary, let a = value.decimalValue, let b = divisor.decimalValue, !a.isNaN, !b.isNaN, b != 0 {
            // Exact decimal arithmetic: 0.0075 is a multiple of 0.0001, which binary floats get wrong.
            var quotient = a / b
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, .plain)
            if quotient.isFinite, !quotient.isNaN, abs(NSDecimalNumber(decimal: quotient).doubleValue) < 1e30 { return rounded == quotient }
        }
        let q = value.doubleValue / divisor.doubleValue
        return q.isFinite && q.rounded() == q
    }
}
