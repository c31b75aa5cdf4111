import FiscalMixJSON

/// The keywords that assert something of the instance alone (no subschema): whether they hold,
/// and what to say when they do not. Shared by the full evaluation and the validity check.
extension SchemaEvaluator {
    /// Whether a leaf keyword holds for the instance; true for keywords that do not apply to its
    /// type. Applicators (keywords with subschemas) are not leaves and are not asked here.
    func holds(_ keyword: Keyword, _ instance: JSON) -> Bool {
        switch keyword {
        case .type(let types):
            return types.admits(instance)
        case .enumeration(let values):
            return values.contains { Self.identical($0, instance) }
        case .constant(let value):
            return Self.identical(value, instance)
        case .multipleOf(let divisor):
            guard case .number(let n) = instance else { return true }
            return Self.isMultiple(n, of: divisor)
        case .maximum(let limit):
            guard case .number(let n) = instance else { return true }
            return JSONNumber.compare(n, limit) <= 0
        case .exclusiveMaximum(let limit):
            guard case .number(let n) = instance else { return true }
            return JSONNumber.compare(n, limit) < 0
        case .minimum(let limit):
            guard case .number(let n) = instance else { return true }
            return JSONNumber.compare(n, limit) >= 0
        case .exclusiveMinimum(let limit):
            guard case .number(let n) = instance else { return true }
            return JSONNumber.compare(n, limit) > 0
        case .maxLength(let limit):
            guard case .string(let s) = instance else { return true }
            return Self.length(of: s, isAtMost: limit)
        case .minLength(let limit):
            guard case .string(let s) = instance else { return true }
            return Self.length(of: s, isAtLeast: limit)
        case .pattern(let regex):
            guard case .string(let s) = instance else { return true }
            return regex.matches(s, budget: budget) && budget.remaining >= 0
        case .maxItems(let limit):
            guard case .array(let a) = instance else { return true }
            return a.count <= limit
        case .minItems(let limit):
            guard case .array(let a) = instance else { return true }
            return a.count >= limit
        case .uniqueItems:
            guard case .array(let a) = instance else { return true }
            return Self.firstDuplicate(a) == nil
        case .maxProperties(let limit):
            guard case .object(let o) = instance else { return true }
            return o.count <= limit
        case .minProperties(let limit):
            guard case .object(let o) = instance else { return true }
            return o.count >= limit
        case .required(let names):
            guard case .object(let o) = instance else { return true }
            return names.allSatisfy { o.contains($0) }
        case .dependentRequired(let dependencies):
            guard case .object(let o) = instance else { return true }
            return dependencies.allSatisfy { name, needed in !o.contains(name) || needed.allSatisfy { o.contains($0) } }
        case .format(let format):
            guard schema.options.assertFormats, case .string(let s) = instance else { return true }
            return FormatChecker.check(format, s) ?? true
        case .ref, .dynamicRef, .allOf, .anyOf, .oneOf, .not, .conditional, .dependentSchemas, .prefixItems, .items, .contains,
            .properties, .patternProperties, .additionalProperties, .propertyNames, .unevaluatedItems, .unevaluatedProperties:
            preconditionFailure("\(keyword.name) is an applicator, not a leaf assertion")
        }
    }

    /// `maxLength`: at most `limit` code points. A code point takes one to four UTF-8 bytes, so
    /// the byte count (known without a pass over the string) settles most strings.
    static func length(of s: String, isAtMost limit: Int) -> Bool {
        s.utf8.count <= limit || (s.utf8.count / 4 <= limit && s.unicodeScalars.count <= limit)
    }

    /// `minLength`: at least `limit` code points (see `length(of:isAtMost:)`).
    static func length(of s: String, isAtLeast limit: Int) -> Bool {
        s.utf8.count >= limit && (s.utf8.count / 4 >= limit || s.unicodeScalars.count >= limit)
    }

    /// Why a leaf keyword does not hold (asked only after `holds` said so).
    func failureMessage(_ keyword: Keyword, _ instance: JSON) -> String {
        switch (keyword, instance) {
        case (.type(let types), _): return "expected \(types.names.joined(separator: " or ")), got \(instance.typeName)"
        case (.enumeration, _): return "value is not one of the allowed values"
        case (.constant(let value), _): return "value must be \(value.serialized())"
        case (.multipleOf(let divisor), .number(let n)): return "\(n) is not a multiple of \(divisor)"
        case (.maximum(let limit), .number(let n)): return "\(n) is greater than \(limit)"
        case (.exclusiveMaximum(let limit), .number(let n)): return "\(n) is not less than \(limit)"
        case (.minimum(let limit), .number(let n)): return "\(n) is less than \(limit)"
        case (.exclusiveMinimum(let limit), .number(let n)): return "\(n) is not greater than \(limit)"
        case (.maxLength(let limit), _): return "longer than \(limit) characters"
        case (.minLength(let limit), _): return "shorter than \(limit) characters"
        case (.pattern(let regex), _):
            return budget.remaining < 0
                ? "matching the pattern \(regex.source) exceeded the evaluation budget" : "does not match the pattern \(regex.source)"
        case (.maxItems(let limit), _): return "more than \(limit) items"
        case (.minItems(let limit), _): return "fewer than \(limit) items"
        case (.uniqueItems, .array(let a)):
            let (i, j) = Self.firstDuplicate(a) ?? (0, 0)
            return "items \(i) and \(j) are equal"
        case (.maxProperties(let limit), _): return "more than \(limit) properties"
        case (.minProperties(let limit), _): return "fewer than \(limit) properties"
        case (.required(let names), .object(let o)):
            return "missing required properties: \(names.filter { !o.contains($0) }.joined(separator: ", "))"
        case (.dependentRequired(let dependencies), .object(let o)):
            return dependencies.compactMap { name, needed in
                let missing = needed.filter { !o.contains($0) }
                return o.contains(name) && !missing.isEmpty ? "\(name) requires \(missing.joined(separator: ", "))" : nil
            }.joined(separator: "; ")
        case (.format(let format), _): return "is not a valid \(format)"
        default: return "\(keyword.name) does not hold"
        }
    }
}
