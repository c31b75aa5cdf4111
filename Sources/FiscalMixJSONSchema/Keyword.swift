import FiscalMixJSON
import Foundation

/// A compiled regular expression. ECMA-262 patterns are run by ICU (NSRegularExpression), which
/// agrees with ECMA-262 on the constructs schemas use; the type is immutable and thread-safe.
struct SchemaRegex: @unchecked Sendable {
    let source: String
    let regex: NSRegularExpression

    init?(_ source: String) {
        guard let translated = Self.translate(source), let regex = try? NSRegularExpression(pattern: translated) else { return nil }
        self.source = source
        self.regex = regex
    }

    /// Whether the pattern matches. ICU reports progress during a long match; each report spends
    /// the validation's step budget, so catastrophic backtracking on instance data stops (the
    /// budget goes negative and validation fails saying so) instead of hanging the worker.
    func matches(_ text: String, budget: SchemaEvaluator.Budget) -> Bool {
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
    /// `[^]` are valid ECMA-262 (match nothing / anything). Syntax ICU accepts but ECMA-262 does
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

/// One keyword of a compiled schema object; child schemas are node indices.
enum Keyword: Sendable {
    case ref(target: Int)
    /// `dynamicAnchor` is set when the initial target was a `$dynamicAnchor` of that name: then
    /// the outermost resource in the dynamic scope that defines the same anchor wins.
    case dynamicRef(target: Int, dynamicAnchor: String?)
    case type([String])
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
