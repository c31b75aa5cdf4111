public import FiscalMixJSON

/// A compiled JSON Schema (draft 2020-12). Compile once, validate many instances, from any
/// number of tasks.
///
/// ```swift
/// let schema = try JSONSchema(compiling: schemaJSON)
/// let result = schema.validate(instance)   // result.valid, result.errors (basic output)
/// ```
public struct JSONSchema: Sendable {
    public struct Options: Sendable {
        /// Assert `format` (date-time, email, uuid, …) instead of treating it as an annotation.
        public var assertFormats = false
        /// Maximum depth of nested schema evaluation: stops runaway recursion through `$ref`.
        public var maxDepth = 256
        /// Maximum number of subschema evaluations in one validation.
        public var maxSteps = 1_000_000
        public init(assertFormats: Bool = false) { self.assertFormats = assertFormats }
    }

    let nodes: [SchemaNode]
    let resources: [SchemaResource]
    let root: Int
    let options: Options
    /// Whether any subschema uses `unevaluatedItems`/`unevaluatedProperties`, the only keywords
    /// that need the evaluated-items and evaluated-properties annotations collected.
    let tracksAnnotations: Bool
    /// Whether any subschema uses `$dynamicRef`, the only keyword that reads the dynamic scope.
    let usesDynamicScope: Bool
    /// The nodes lowered for the validity check (see `ValidityProgram`).
    let program: ValidityProgram

    /// The URI a schema without `$id` gets, so that relative references have a base.
    public static let defaultBaseURI = "urn:fiscalmix:schema"

    public init(
        compiling schema: JSON, registry: SchemaRegistry = SchemaRegistry(), baseURI: String = defaultBaseURI,
        options: Options = Options()
    ) throws(SchemaError) {
        var compiler = SchemaCompiler(registry: registry)
        root = try compiler.compileDocument(schema, uri: baseURI)
        try compiler.resolveAll()
        nodes = compiler.nodes
        resources = compiler.resources
        func anyKeyword(_ test: (Keyword) -> Bool) -> Bool { compiler.nodes.contains { $0.keywords.contains(where: test) } }
        tracksAnnotations = anyKeyword {
            switch $0 {
            case .unevaluatedItems, .unevaluatedProperties: true
            default: false
            }
        }
        usesDynamicScope = anyKeyword {
            if case .dynamicRef = $0 { return true }
            return false
        }
        self.options = options
        program = ValidityProgram(compiler.nodes)
    }

    public func validate(_ instance: JSON) -> ValidationResult {
        if !needsFullEvaluation, ValidityCheck(schema: self).isValid(Int32(root), instance, depth: 0) {
            return ValidationResult(valid: true, errors: [])
        }
        let outcome = SchemaEvaluator(schema: self).evaluate(root, instance, instanceLocation: .root, keywordLocation: .root, scope: [], depth: 0)
        return ValidationResult(valid: outcome.valid, errors: outcome.valid ? [] : outcome.errors)
    }

    /// Whether the instance is valid, without building any error where the schema allows
    /// (stops at the first failure).
    public func isValid(_ instance: JSON) -> Bool {
        if needsFullEvaluation { return validate(instance).valid }
        return ValidityCheck(schema: self).isValid(Int32(root), instance, depth: 0)
    }

    /// `unevaluated*` needs the annotations of every successful subschema and `$dynamicRef` the
    /// dynamic scope: only the full evaluation keeps them.
    private var needsFullEvaluation: Bool { tracksAnnotations || usesDynamicScope }
}

/// The "basic" output format of JSON Schema: a flat list of errors.
public struct ValidationResult: Sendable {
    public let valid: Bool
    public let errors: [ValidationError]
}

public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer to the offending part of the instance.
    public let instanceLocation: String
    /// The path of keywords followed to the failing one (through `$ref`s).
    public let keywordLocation: String
    /// The failing keyword's absolute location: schema resource URI and pointer.
    public let absoluteKeywordLocation: String
    public let message: String

    public var description: String { "\(instanceLocation.isEmpty ? "/" : instanceLocation): \(message) (\(keywordLocation))" }
}

/// A schema that cannot be compiled.
public enum SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSchema(String, location: String)
    case unresolvableReference(String, location: String)

    public var description: String {
        switch self {
        case .invalidSchema(let message, let location): "invalid schema at \(location): \(message)"
        case .unresolvableReference(let reference, let location): "cannot resolve $ref '\(reference)' at \(location)"
        }
    }
}
