import FiscalMixJSON

/// Turns schema JSON into nodes: assigns base URIs (`$id`), indexes every subschema by
/// `uri#pointer` and every `$anchor`/`$dynamicAnchor` by `uri#name`, then resolves each `$ref`
/// and `$dynamicRef`, compiling registered documents and pointer targets on demand.
struct SchemaCompiler {
    static let vocabularies: [String: String] = {
        var map: [String: String] = [:]
        let base = "https://json-schema.org/draft/2020-12/vocab/"
        for k in [
            "prefixItems", "items", "contains", "additionalProperties", "properties", "patternProperties", "dependentSchemas",
            "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not",
        ] { map[k] = base + "applicator" }
        for k in ["unevaluatedItems", "unevaluatedProperties"] { map[k] = base + "unevaluated" }
        for k in [
            "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength",
            "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties",
            "minProperties", "required", "dependentRequired",
        ] { map[k] = base + "validation" }
        return map
    }()

    struct PendingRef {
        let node: Int
        let keyword: Int
        let reference: URIReference
        let dynamic: Bool
        let location: String
    }

    let registry: SchemaRegistry
    var nodes: [SchemaNode] = []
    var resources: [SchemaResource] = []
    var resourceByURI: [String: Int] = [:]
    /// Raw JSON of each resource, for `$ref`s that point into places not compiled as schemas.
    var resourceJSON: [Int: JSON] = [:]
    var resourceVocabulary: [Int: Set<String>?] = [:]
    var index: [String: Int] = [:]
    var pending: [PendingRef] = []
    var loadedDocuments: Set<String> = []

    init(registry: SchemaRegistry) { self.registry = registry }

    static func key(_ uri: URIReference) -> String {
        uri.withoutFragment.description + "#" + JSONPointer.percentDecoded(uri.fragment ?? "")
    }

    // MARK: Compiling

    mutating func compileDocument(_ json: JSON, uri: String) throws(SchemaError) -> Int {
        let base = URIReference(uri).withoutFragment
        loadedDocuments.insert(base.description)
        let resource = addResource(base.description, json: json, vocabulary: nil)
        return try compile(json, base: base, pointer: "", resource: resource, vocabulary: nil)
    }

    mutating func addResource(_ uri: String, json: JSON, vocabulary: Set<String>?) -> Int {
        if let existing = resourceByURI[uri] { return existing }
        resources.append(SchemaResource(uri: uri))
        let r = resources.count - 1
        resourceByURI[uri] = r
        resourceJSON[r] = json
        resourceVocabulary[r] = vocabulary
        return r
    }

    mutating func compile(
        _ json: JSON, base: URIReference, pointer: String, resource: Int,
        vocabulary: Set<String>?
    ) throws(SchemaError) -> Int {
        let outerKey = base.description + "#" + pointer
        if let existing = index[outerKey] { return existing }
        guard case .object(let object) = json else {
            guard case .bool(let value) = json else {
                throw SchemaError.invalidSchema("a schema must be an object or a boolean", location: outerKey)
            }
            nodes.append(SchemaNode(constant: value, resource: resource, location: outerKey))
            index[outerKey] = nodes.count - 1
            return nodes.count - 1
        }
        var base = base, pointer = pointer, resource = resource, vocabulary = vocabulary
        if case .string(let id)? = object["$id"] {
            let newBase = base.resolving(id).withoutFragment
            if newBase != base || !pointer.isEmpty {
                base = newBase
                pointer = ""
            }
            resource = addResource(base.description, json: json, vocabulary: vocabulary)
        }
        if case .string(let metaSchema)? = object["$schema"], let meta = registry.document(at: URIReference(metaSchema).withoutFragment.description),
            case .object(let vocabularies)? = meta["$vocabulary"]
        {
            vocabulary = Set(vocabularies.keys)
            resourceVocabulary[resource] = vocabulary
        }
        let node = nodes.count
        let location = base.description + "#" + pointer
        nodes.append(SchemaNode(resource: resource, location: location))
        index[outerKey] = node
        index[location] = node
        if case .string(let anchor)? = object["$anchor"] { index[base.description + "#" + anchor] = node }
        if case .string(let anchor)? = object["$dynamicAnchor"] {
            index[base.description + "#" + anchor] = node
            resources[resource].dynamicAnchors[anchor] = node
        }

        func active(_ keyword: String) -> Bool {
            guard let vocabulary, let needed = Self.vocabularies[keyword] else { return true }
            return vocabulary.contains(needed)
        }
        func child(_ value: JSON, _ path: String...) throws(SchemaError) -> Int {
            var p = pointer
            for token in path { p = JSONPointer.append(p, token) }
            return try compile(value, base: base, pointer: p, resource: resource, vocabulary: vocabulary)
        }
        func children(_ key: String) throws(SchemaError) -> [Int]? {
            guard let value = object[key] else { return nil }
            guard case .array(let items) = value, !items.isEmpty else {
                throw SchemaError.invalidSchema("\(key) must be a non-empty array of schemas", location: location)
            }
            var result: [Int] = []
            for (i, item) in items.enumerated() { result.append(try child(item, key, String(i))) }
            return result
        }
        func schemaMap(_ key: String) throws(SchemaError) -> [(String, Int)]? {
            guard let value = object[key] else { return nil }
            guard case .object(let map) = value else { throw SchemaError.invalidSchema("\(key) must be an object", location: location) }
            var result: [(String, Int)] = []
            for (name, schema) in map { result.append((name, try child(schema, key, name))) }
            return result
        }
        func number(_ key: String) throws(SchemaError) -> JSONNumber? {
            guard let value = object[key] else { return nil }
            guard case .number(let n) = value else { throw SchemaError.invalidSchema("\(key) must be a number", location: location) }
            return n
        }
        func count(_ key: String) throws(SchemaError) -> Int? {
            guard let n = try number(key) else { return nil }
            guard let i = n.int64Value, i >= 0 else { throw SchemaError.invalidSchema("\(key) must be a non-negative integer", location: location) }
            return Int(clamping: i)
        }
        func regex(_ source: String) throws(SchemaError) -> SchemaRegex {
            guard let regex = SchemaRegex(source) else {
                throw SchemaError.invalidSchema("invalid regular expression '\(source)'", location: location)
            }
            return regex
        }

        var keywords: [Keyword] = []
        var late: [Keyword] = []
        if let defs = object["$defs"], case .object(let map) = defs {
            for (name, schema) in map { _ = try child(schema, "$defs", name) }
        }
        if case .string(let ref)? = object["$ref"] {
            keywords.append(.ref(target: -1))
            pending.append(PendingRef(node: node, keyword: keywords.count - 1, reference: base.resolving(ref), dynamic: false, location: location))
        }
        if case .string(let ref)? = object["$dynamicRef"] {
            keywords.append(.dynamicRef(target: -1, dynamicAnchor: nil))
            pending.append(PendingRef(node: node, keyword: keywords.count - 1, reference: base.resolving(ref), dynamic: true, location: location))
        }
        if active("type"), let value = object["type"] {
            switch value {
            case .string(let t): keywords.append(.type(JSONTypes(names: [t])))
            case .array(let ts):
                keywords.append(.type(JSONTypes(names: ts.compactMap(\.stringValue))))
            default: throw SchemaError.invalidSchema("type must be a string or an array", location: location)
            }
        }
        if active("enum"), let value = object["enum"] {
            guard case .array(let values) = value else { throw SchemaError.invalidSchema("enum must be an array", location: location) }
            keywords.append(.enumeration(values))
        }
        if active("const"), let value = object["const"] { keywords.append(.constant(value)) }
        if active("multipleOf"), let n = try number("multipleOf") {
            guard n.doubleValue > 0 else { throw SchemaError.invalidSchema("multipleOf must be greater than 0", location: location) }
            keywords.append(.multipleOf(n))
        }
        if active("maximum"), let n = try number("maximum") { keywords.append(.maximum(n)) }
        if active("exclusiveMaximum"), let n = try number("exclusiveMaximum") { keywords.append(.exclusiveMaximum(n)) }
        if active("minimum"), let n = try number("minimum") { keywords.append(.minimum(n)) }
        if active("exclusiveMinimum"), let n = try number("exclusiveMinimum") { keywords.append(.exclusiveMinimum(n)) }
        if active("maxLength"), let n = try count("maxLength") { keywords.append(.maxLength(n)) }
        if active("minLength"), let n = try count("minLength") { keywords.append(.minLength(n)) }
        if active("pattern"), case .string(let p)? = object["pattern"] { keywords.append(.pattern(try regex(p))) }
        if active("maxItems"), let n = try count("maxItems") { keywords.append(.maxItems(n)) }
        if active("minItems"), let n = try count("minItems") { keywords.append(.minItems(n)) }
        if active("uniqueItems"), case .bool(true)? = object["uniqueItems"] { keywords.append(.uniqueItems) }
        if active("maxProperties"), let n = try count("maxProperties") { keywords.append(.maxProperties(n)) }
        if active("minProperties"), let n = try count("minProperties") { keywords.append(.minProperties(n)) }
        if active("required"), case .array(let names)? = object["required"] { keywords.append(.required(names.compactMap(\.stringValue))) }
        if active("dependentRequired"), case .object(let map)? = object["dependentRequired"] {
            keywords.append(.dependentRequired(map.map { ($0.key, $0.value.arrayValue?.compactMap(\.stringValue) ?? []) }))
        }
        if active("allOf"), let c = try children("allOf") { keywords.append(.allOf(c)) }
        if active("anyOf"), let c = try children("anyOf") { keywords.append(.anyOf(c)) }
        if active("oneOf"), let c = try children("oneOf") { keywords.append(.oneOf(c)) }
        if active("not"), let value = object["not"] { keywords.append(.not(try child(value, "not"))) }
        if active("if"), let value = object["if"] {
            let condition = try child(value, "if")
            let then = try object["then"].map { (v) throws(SchemaError) in try child(v, "then") }
            let otherwise = try object["else"].map { (v) throws(SchemaError) in try child(v, "else") }
            keywords.append(.conditional(if: condition, then: then, else: otherwise))
        } else {
            // Still compiled, so `$ref`s into them resolve.
            if let v = object["then"] { _ = try child(v, "then") }
            if let v = object["else"] { _ = try child(v, "else") }
        }
        if active("dependentSchemas"), let m = try schemaMap("dependentSchemas") { keywords.append(.dependentSchemas(m)) }
        var prefixCount = 0
        if active("prefixItems"), let c = try children("prefixItems") {
            prefixCount = c.count
            keywords.append(.prefixItems(c))
        }
        if active("items"), let value = object["items"] { keywords.append(.items(try child(value, "items"), prefixCount: prefixCount)) }
        if active("contains"), let value = object["contains"] {
            let minimum = active("minContains") ? try count("minContains") ?? 1 : 1
            let maximum = active("maxContains") ? try count("maxContains") : nil
            keywords.append(.contains(try child(value, "contains"), min: minimum, max: maximum))
        }
        var known: Set<String> = []
        var patterns: [SchemaRegex] = []
        if active("properties"), let m = try schemaMap("properties") {
            known = Set(m.map(\.0))
            keywords.append(.properties(m))
        }
        if active("patternProperties"), case .object(let map)? = object["patternProperties"] {
            var compiled: [(SchemaRegex, Int)] = []
            for (source, schema) in map { compiled.append((try regex(source), try child(schema, "patternProperties", source))) }
            patterns = compiled.map(\.0)
            keywords.append(.patternProperties(compiled))
        }
        if active("additionalProperties"), let value = object["additionalProperties"] {
            keywords.append(.additionalProperties(try child(value, "additionalProperties"), known: known, patterns: patterns))
        }
        if active("propertyNames"), let value = object["propertyNames"] { keywords.append(.propertyNames(try child(value, "propertyNames"))) }
        if active("unevaluatedItems"), let value = object["unevaluatedItems"] { late.append(.unevaluatedItems(try child(value, "unevaluatedItems"))) }
        if active("unevaluatedProperties"), let value = object["unevaluatedProperties"] {
            late.append(.unevaluatedProperties(try child(value, "unevaluatedProperties")))
        }
        if case .string(let format)? = object["format"] { keywords.append(.format(format)) }
        nodes[node].keywords = keywords + late
        return node
    }

    // MARK: Resolving references

    mutating func resolveAll() throws(SchemaError) {
        while let ref = pending.popLast() {
            let target = try resolve(ref.reference, from: ref.location)
            switch nodes[ref.node].keywords[ref.keyword] {
            case .ref:
                nodes[ref.node].keywords[ref.keyword] = .ref(target: target)
            case .dynamicRef:
                var anchor: String?
                if let fragment = ref.reference.fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
                    resources[nodes[target].resource].dynamicAnchors[fragment] == target
                {
                    anchor = fragment
                }
                nodes[ref.node].keywords[ref.keyword] = .dynamicRef(target: target, dynamicAnchor: anchor)
            default:
                break
            }
        }
    }

    mutating func resolve(_ reference: URIReference, from location: String) throws(SchemaError) -> Int {
        let key = Self.key(reference)
        if let node = index[key] { return node }
        let document = reference.withoutFragment.description
        if !loadedDocuments.contains(document), let json = registry.document(at: document) {
            _ = try compileDocument(json, uri: document)
            if let node = index[key] { return node }
        }
        // A JSON Pointer into a part of a resource that was not compiled as a schema.
        let fragment = JSONPointer.percentDecoded(reference.fragment ?? "")
        if let resource = resourceByURI[document], let json = resourceJSON[resource], fragment.hasPrefix("/"),
            let target = JSONPointer.resolve(fragment, in: json)
        {
            return try compile(
                target, base: reference.withoutFragment, pointer: fragment, resource: resource,
                vocabulary: resourceVocabulary[resource] ?? nil)
        }
        throw SchemaError.unresolvableReference(reference.description, location: location)
    }
}
