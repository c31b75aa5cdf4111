import FiscalMixJSON

/// Validity alone, answered as directly as possible: a `Bool` per subschema (no outcome to build
/// and release, no locations, no messages), the first failing keyword ends the subschema, and
/// `anyOf` stops at its first match. Most documents an integration validates are valid, and
/// `JSONSchema.validate` asks this first; only an invalid one is evaluated again for its errors.
///
/// It runs the schema's `ValidityProgram` (operations with integer operands) rather than the
/// compiled keywords, so that visiting a subschema copies no keyword payload.
///
/// Schemas with `unevaluated*` (which need the annotations of every successful subschema) or
/// `$dynamicRef` (which needs the dynamic scope) take the full evaluation instead; see
/// `JSONSchema.validate`.
struct ValidityCheck {
    let program: ValidityProgram
    /// Asked for the rarer leaves; holds the step budget the check spends too.
    let evaluator: SchemaEvaluator
    let maxDepth: Int

    init(schema: JSONSchema) {
        program = schema.program
        evaluator = SchemaEvaluator(schema: schema)
        maxDepth = schema.options.maxDepth
    }

    var budget: SchemaEvaluator.Budget { evaluator.budget }

    /// `releasenone` promises the optimizer that a call releases nothing that existed before it
    /// (the check writes only the budget's counter; whatever it retains it releases itself).
    /// With that promise a caller passing a value read out of an array or object to the next
    /// subschema needs no copy of it: the value cannot be freed during the call. Without it,
    /// every object passed on was retained and released (two references each), ~45% of a
    /// validation's samples (perf, invoice case); with it and `JSONObject`'s lookups inlinable,
    /// invoice 117–122k → 250–260k validations/s. Keep the promise: no assignment here may
    /// replace a stored reference, no owned argument may be consumed. (The attribute is an
    /// underscored one, described in the compiler's UnderscoredAttributes reference; CI runs the
    /// conformance suite with the release build, where it acts — see docs/transforms.md.)
    @_effects(releasenone)
    func isValid(_ index: Int32, _ instance: JSON, depth: Int) -> Bool {
        let node = program.nodes[Int(index)]
        if let constant = node.constant { return constant }
        guard depth < maxDepth else { return false }
        budget.remaining -= 1
        guard budget.remaining >= 0 else { return false }
        let next = depth + 1
        for at in node.operations {
            switch program.operations[Int(at)] {
            case .ref(let target):
                if !isValid(target, instance, depth: next) { return false }
            case .allOf(let span):
                for i in span where !isValid(program.children[Int(i)], instance, depth: next) { return false }
            case .anyOf(let span):
                if !span.contains(where: { isValid(program.children[Int($0)], instance, depth: next) }) { return false }
            case .oneOf(let span):
                var matches = 0
                for i in span where isValid(program.children[Int(i)], instance, depth: next) {
                    matches += 1
                    if matches > 1 { return false }
                }
                if matches == 0 { return false }
            case .not(let child):
                if isValid(child, instance, depth: next) { return false }
            case .conditional(let condition, let then, let otherwise):
                let branch = isValid(condition, instance, depth: next) ? then : otherwise
                if branch >= 0, !isValid(branch, instance, depth: next) { return false }
            case .dependentSchemas(let span):
                guard case .object(let o) = instance else { continue }
                for i in span where o.contains(program.names[Int(i)]) && !isValid(program.nameChildren[Int(i)], instance, depth: next) {
                    return false
                }
            case .prefixItems(let span):
                guard case .array(let a) = instance else { continue }
                for (i, at) in span.enumerated() where i < a.count && !isValid(program.children[Int(at)], a[i], depth: next) { return false }
            case .items(let child, let from):
                guard case .array(let a) = instance, a.count > from else { continue }
                for i in Int(from)..<a.count where !isValid(child, a[i], depth: next) { return false }
            case .contains(let child, let minimum, let maximum):
                guard case .array(let a) = instance else { continue }
                var matched = 0
                for item in a where isValid(child, item, depth: next) {
                    matched += 1
                    if matched >= minimum, maximum == nil { break }
                }
                if matched < minimum { return false }
                if let maximum, matched > maximum { return false }
            case .requiredProperties(let span):
                guard case .object(let o) = instance else { continue }
                for i in span {
                    guard let value = o[program.names[Int(i)]], isValid(program.nameChildren[Int(i)], value, depth: next) else { return false }
                }
            case .properties(let span):
                guard case .object(let o) = instance else { continue }
                for i in span {
                    if let value = o[program.names[Int(i)]], !isValid(program.nameChildren[Int(i)], value, depth: next) { return false }
                }
            case .patternProperties(let span):
                guard case .object(let o) = instance else { continue }
                for i in span {
                    let regex = program.regexes[Int(i)]
                    for (name, value) in o where regex.matches(name, budget: budget) {
                        if !isValid(program.regexChildren[Int(i)], value, depth: next) { return false }
                    }
                }
                if budget.remaining < 0 { return false }
            case .additionalProperties(let child, let known, let knownSet, let patterns):
                guard case .object(let o) = instance else { continue }
                for (at, name) in o.keys.enumerated() {
                    let isKnown = knownSet >= 0 ? program.sets[Int(knownSet)].contains(name) : known.contains { program.names[Int($0)] == name }
                    if isKnown || patterns.contains(where: { program.regexes[Int($0)].matches(name, budget: budget) }) { continue }
                    if !isValid(child, o.values[at], depth: next) { return false }
                }
                if budget.remaining < 0 { return false }
            case .propertyNames(let child):
                guard case .object(let o) = instance else { continue }
                for name in o.keys where !isValid(child, .string(name), depth: next) { return false }
            case .type(let types):
                if !types.admits(instance) { return false }
            case .required(let span):
                guard case .object(let o) = instance else { continue }
                for i in span where !o.contains(program.names[Int(i)]) { return false }
            case .minLength(let limit):
                guard case .string(let s) = instance else { continue }
                if !SchemaEvaluator.length(of: s, isAtLeast: limit) { return false }
            case .maxLength(let limit):
                guard case .string(let s) = instance else { continue }
                if !SchemaEvaluator.length(of: s, isAtMost: limit) { return false }
            case .minItems(let limit):
                guard case .array(let a) = instance else { continue }
                if a.count < limit { return false }
            case .maxItems(let limit):
                guard case .array(let a) = instance else { continue }
                if a.count > limit { return false }
            case .minProperties(let limit):
                guard case .object(let o) = instance else { continue }
                if o.count < limit { return false }
            case .maxProperties(let limit):
                guard case .object(let o) = instance else { continue }
                if o.count > limit { return false }
            case .pattern(let regex):
                guard case .string(let s) = instance else { continue }
                if !program.regexes[Int(regex)].matches(s, budget: budget) || budget.remaining < 0 { return false }
            case .minimum(let limit):
                guard case .number(let n) = instance else { continue }
                if JSONNumber.compare(n, program.numbers[Int(limit)]) < 0 { return false }
            case .maximum(let limit):
                guard case .number(let n) = instance else { continue }
                if JSONNumber.compare(n, program.numbers[Int(limit)]) > 0 { return false }
            case .exclusiveMinimum(let limit):
                guard case .number(let n) = instance else { continue }
                if JSONNumber.compare(n, program.numbers[Int(limit)]) <= 0 { return false }
            case .exclusiveMaximum(let limit):
                guard case .number(let n) = instance else { continue }
                if JSONNumber.compare(n, program.numbers[Int(limit)]) >= 0 { return false }
            case .leaf(let node, let keyword):
                if !evaluator.holds(evaluator.schema.nodes[Int(node)].keywords[Int(keyword)], instance) { return false }
            }
        }
        return true
    }
}
