import FiscalMixJSON
import Foundation

/// A compiled regular expression. Patterns in the regular subset of ECMA-262 (nearly all that
/// schemas use) run on `LinearPattern`; the rest (backreferences, lookaround, `\b`, `\p{…}`) on
/// ICU (NSRegularExpression), which agrees with ECMA-262 on those constructs. ICU also decides
/// whether a pattern is valid at all, for both. The type is immutable and thread-safe; a class,
/// so that a keyword holding it stays one pointer wide (keywords are copied at every subschema).
final class SchemaRegex: @unchecked Sendable {
    let source: String
    /// ICU's compiled pattern; nil for a long pattern, which runs on `linear` alone.
    let regex: NSRegularExpression?
    let linear: LinearPattern?

    init?(_ source: String) {
        // (ICU refuses an empty pattern, which ECMA-262 allows: it matches everywhere.)
        guard let translated = Self.translate(source) else { return nil }
        let linear = LinearPattern(source)
        if translated.utf16.count > Self.longestICUPattern {
            // Foundation leaks its copy of a pattern this long whenever ICU refuses it (found by
            // the fuzzer: Fuzz/Targets/jsonschema.swift), so ICU never sees one: a long pattern
            // must be one this module's own parser reads as regular, and runs on that alone.
            guard let linear else { return nil }
            self.source = source
            self.regex = nil
            self.linear = linear
            return
        }
        guard let regex = try? NSRegularExpression(pattern: translated.isEmpty ? "(?:)" : translated) else { return nil }
        self.source = source
        self.regex = regex
        self.linear = linear
    }

    /// The longest pattern handed to ICU.
    static let longestICUPattern = 255

    /// Whether the pattern matches. Both engines spend the validation's step budget as they
    /// work (ICU through its progress reports during a long match), so a hostile pattern or
    /// input stops — the budget goes negative and validation fails saying so — instead of
    /// hanging the worker.
    func matches(_ text: String, budget: SchemaEvaluator.Budget) -> Bool {
        if let linear { return linear.matches(text, budget: budget) }
        return icuMatches(text, budget: budget)
    }

    func icuMatches(_ text: String, budget: SchemaEvaluator.Budget) -> Bool {
        guard let regex else { return false }
        var found = false
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
            } else {
                budget.remaining -= 256
                if budget.remaining < 0 { stop.pointee = true }
            }
        }
        return found
    }

    /// ECMA-262 to ICU: `\d`, `\w` are ASCII-only in ECMA-262 and Unicode-aware in ICU; `[]` and
    /// `[^]` are valid ECMA-262 (match nothing / anything); `$` is the end of input and `[\b]` a
    /// backspace. Syntax ICU accepts but ECMA-262 does
    /// not — `\a`, comment groups `(?#…)`, global inline flags `(?i)` — makes the pattern invalid.
    static func translate(_ pattern: String) -> String? {
        var out = ""
        var escaped = false
        var inClass = false
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            defer { i += 1 }
            if escaped {
                escaped = false
                switch ch {
                case "a": return nil
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "D": out += inClass ? "\\D" : "[^0-9]"
                case "w": out += inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
                case "W": out += inClass ? "\\W" : "[^a-zA-Z0-9_]"
                case "b" where inClass: out += "\\u0008"  // backspace in a class, not a word boundary
                case "u" where i + 1 < chars.count && chars[i + 1] == "{": out += "\\x"  // ICU spells \u{…} \x{…}
                default: out += "\\" + String(ch)
                }
                continue
            }
            switch ch {
            case "\\":
                escaped = true
            case "[" where !inClass:
                if i + 1 < chars.count, chars[i + 1] == "]" { out += "(?!)"; i += 1; continue }
                if i + 2 < chars.count, chars[i + 1] == "^", chars[i + 2] == "]" { out += "[\\s\\S]"; i += 2; continue }
                inClass = true
                out.append(ch)
            case "$" where !inClass:
                out += "\\z"  // the end of the input only (ICU's `$` also matches before a final line break)
            case "]" where inClass:
                inClass = false
                out.append(ch)
            case "(" where !inClass && i + 1 < chars.count && chars[i + 1] == "?":
                let rest = chars[(i + 2)...]
                if rest.first == "#" { return nil }
                let flags = rest.prefix { $0.isLetter || $0 == "-" }
                if !flags.isEmpty, rest.dropFirst(flags.count).first == ")" { return nil }
                out.append(ch)
            default:
                out.append(ch)
            }
        }
        if escaped { out += "\\" }
        return out
    }
}

/// The types a `type` keyword allows, as bits: checking one is a mask test, not string compares.
struct JSONTypes: OptionSet, Sendable {
    let rawValue: UInt8

    static let null = JSONTypes(rawValue: 1 << 0)
    static let boolean = JSONTypes(rawValue: 1 << 1)
    static let number = JSONTypes(rawValue: 1 << 2)
    static let integer = JSONTypes(rawValue: 1 << 3)
    static let string = JSONTypes(rawValue: 1 << 4)
    static let array = JSONTypes(rawValue: 1 << 5)
    static let object = JSONTypes(rawValue: 1 << 6)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    private static let named: [(String, JSONTypes)] = [
        ("null", .null), ("boolean", .boolean), ("number", .number), ("integer", .integer), ("string", .string),
        ("array", .array), ("object", .object),
    ]

    /// Unknown names allow nothing.
    init(names: [String]) {
        self = names.reduce(into: JSONTypes()) { types, name in types.formUnion(Self.named.first { $0.0 == name }?.1 ?? []) }
    }

    /// The allowed types' names, for messages ("string or null").
    var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }

    func admits(_ value: JSON) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .string: contains(.string)
        case .array: contains(.array)
        case .object: contains(.object)
        case .number(let n): contains(.number) || (contains(.integer) && Self.isIntegral(n))
        }
    }

    /// An integer by value (`1.0` is one; so is `1e300`, past 64 bits).
    private static func isIntegral(_ n: JSONNumber) -> Bool {
        if n.isInteger { return true }
        let d = n.doubleValue
        return d.isFinite && d.rounded() == d
    }
}

/// One keyword of a compiled schema object; child schemas are node indices.
enum Keyword: Sendable {
    case ref(target: Int)
    /// `dynamicAnchor` is set when the initial target was a `$dynamicAnchor` of that name: then
    /// the outermost resource in the dynamic scope that defines the same anchor wins.
    case dynamicRef(target: Int, dynamicAnchor: String?)
    case type(JSONTypes)
    case enumeration([JSON])
    case constant(JSON)
    case multipleOf(JSONNumber)
    case maximum(JSONNumber), exclusiveMaximum(JSONNumber), minimum(JSONNumber), exclusiveMinimum(JSONNumber)
    case maxLength(Int), minLength(Int)
    case pattern(SchemaRegex)
    case maxItems(Int), minItems(Int), uniqueItems
    case maxProperties(Int), minProperties(Int)
    case required([String])
    case dependentRequired([(String, [String])])
    case allOf([Int]), anyOf([Int]), oneOf([Int]), not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case dependentSchemas([(String, Int)])
    case prefixItems([Int])
    case items(Int, prefixCount: Int)
    case contains(Int, min: Int, max: Int?)
    case properties([(String, Int)])
    case patternProperties([(SchemaRegex, Int)])
    case additionalProperties(Int, known: Set<String>, patterns: [SchemaRegex])
    case propertyNames(Int)
    case unevaluatedItems(Int)
    case unevaluatedProperties(Int)
    case format(String)

    /// The keyword's name, for error locations.
    var name: String {
        switch self {
        case .ref: "$ref"
        case .dynamicRef: "$dynamicRef"
        case .type: "type"
        case .enumeration: "enum"
        case .constant: "const"
        case .multipleOf: "multipleOf"
        case .maximum: "maximum"
        case .exclusiveMaximum: "exclusiveMaximum"
        case .minimum: "minimum"
        case .exclusiveMinimum: "exclusiveMinimum"
        case .maxLength: "maxLength"
        case .minLength: "minLength"
        case .pattern: "pattern"
        case .maxItems: "maxItems"
        case .minItems: "minItems"
        case .uniqueItems: "uniqueItems"
        case .maxProperties: "maxProperties"
        case .minProperties: "minProperties"
        case .required: "required"
        case .dependentRequired: "dependentRequired"
        case .allOf: "allOf"
        case .anyOf: "anyOf"
        case .oneOf: "oneOf"
        case .not: "not"
        case .conditional: "if"
        case .dependentSchemas: "dependentSchemas"
        case .prefixItems: "prefixItems"
        case .items: "items"
        case .contains: "contains"
        case .properties: "properties"
        case .patternProperties: "patternProperties"
        case .additionalProperties: "additionalProperties"
        case .propertyNames: "propertyNames"
        case .unevaluatedItems: "unevaluatedItems"
        case .unevaluatedProperties: "unevaluatedProperties"
        case .format: "format"
        }
    }
}

/// A compiled schema: `true`/`false`, or an object's keywords in evaluation order (the
/// `unevaluated*` keywords last, since they read their siblings' annotations).
struct SchemaNode: Sendable {
    var constant: Bool?
    var keywords: [Keyword] = []
    var resource: Int
    /// Absolute keyword location: the resource URI and the JSON Pointer inside it.
    var location: String
}

/// A schema resource (a document, or a subschema with `$id`), with its dynamic anchors.
struct SchemaResource: Sendable {
    var uri: String
    var dynamicAnchors: [String: Int] = [:]
}
