import FiscalMixJSON

/// Validity alone, answered as directly as possible: a `Bool` per subschema (no outcome to build
/// and release, no locations, no messages), the first failing keyword ends the subschema, and
/// `anyOf` stops at its first match. Most documents an integration validates are valid, and
/// `JSONSchema.validate` asks this first; only an invalid one is evaluated again for its errors.
///
/// Schemas with `unevaluated*` (which need the annotations of every successful subschema) or
/// `$dynamicRef` (which needs the dynamic scope) take the full evaluation instead; see
/// `JSONSchema.validate`.
extension SchemaEvaluator {
    func isValid(_ index: Int, _ instance: JSON, depth: Int) -> Bool {
        if let constant = schema.nodes[index].constant { return constant }
        guard depth < schema.options.maxDepth else { return false }
        budget.remaining -= 1
        guard budget.remaining >= 0 else { return false }
        let next = depth + 1
        for keyword in schema.nodes[index].keywords {
            switch keyword {
            case .ref(let target):
                if !isValid(target, instance, depth: next) { return false }
            case .allOf(let children):
                for child in children where !isValid(child, instance, depth: next) { return false }
            case .anyOf(let children):
                if !children.contains(where: { isValid($0, instance, depth: next) }) { return false }
            case .oneOf(let children):
                var matches = 0
                for child in children where isValid(child, instance, depth: next) {
                    matches += 1
                    if matches > 1 { return false }
                }
                if matches == 0 { return false }
            case .not(let child):
                if isValid(child, instance, depth: next) { return false }
            case .conditional(let condition, let then, let otherwise):
                let branch = isValid(condition, instance, depth: next) ? then : otherwise
                if let branch, !isValid(branch, instance, depth: next) { return false }
            case .dependentSchemas(let dependencies):
                guard case .object(let o) = instance else { continue }
                for (name, child) in dependencies where o.contains(name) && !isValid(child, instance, depth: next) { return false }
            case .prefixItems(let children):
                guard case .array(let a) = instance else { continue }
                for (i, child) in children.enumerated() where i < a.count && !isValid(child, a[i], depth: next) { return false }
            case .items(let child, let prefixCount):
                guard case .array(let a) = instance, a.count > prefixCount else { continue }
                for i in prefixCount..<a.count where !isValid(child, a[i], depth: next) { return false }
            case .contains(let child, let minimum, let maximum):
                guard case .array(let a) = instance else { continue }
                var matched = 0
                for item in a where isValid(child, item, depth: next) {
                    matched += 1
                    if matched >= minimum, maximum == nil { break }
                }
                if matched < minimum { return false }
                if let maximum, matched > maximum { return false }
            case .properties(let children):
                guard case .object(let o) = instance else { continue }
                for (name, child) in children {
                    if let value = o[name], !isValid(child, value, depth: next) { return false }
                }
            case .patternProperties(let children):
                guard case .object(let o) = instance else { continue }
                for (regex, child) in children {
                    for (name, value) in o where regex.matches(name, budget: budget) {
                        if !isValid(child, value, depth: next) { return false }
                    }
                }
                if budget.remaining < 0 { return false }
            case .additionalProperties(let child, let known, let patterns):
                guard case .object(let o) = instance else { continue }
                for (name, value) in o where !known.contains(name) && !patterns.contains(where: { $0.matches(name, budget: budget) }) {
                    if !isValid(child, value, depth: next) { return false }
                }
                if budget.remaining < 0 { return false }
            case .propertyNames(let child):
                guard case .object(let o) = instance else { continue }
                for name in o.keys where !isValid(child, .string(name), depth: next) { return false }
            case .dynamicRef, .unevaluatedItems, .unevaluatedProperties:
                preconditionFailure("\(keyword.name) needs the full evaluation (JSONSchema.validate routes it there)")
            default:
                if !holds(keyword, instance) { return false }
            }
        }
        return true
    }
}
