public import FiscalMixJSON

/// The `custom` profile of docs/data-model.md: a JSON template whose string leaves are JMESPath
/// expressions evaluated against the input; other leaves (numbers, booleans, null) are copied.
/// Objects and arrays keep their shape, so simple mappings need no expression language:
///
///     {"cnpj": "emit.CNPJ", "total": "total.vNF", "items": "det[].prod.xProd", "source": "`sefaz`"}
///
/// A literal string is written as a JMESPath raw string (`'text'`) or JSON literal (`` `"text"` ``).
public struct CustomMapping: Sendable {
    indirect enum Template: Sendable {
        case expression(JMESPathExpression, path: String)
        case constant(JSON)
        case array([Template])
        case object([(String, Template)])
    }

    let template: Template

    /// Compiles every expression up front; the error names the template path that failed.
    public init(_ template: JSON) throws(JMESPathError) {
        self.template = try Self.compile(template, path: "$")
    }

    public func apply(to input: JSON, maxSteps: Int = 10_000_000) throws(JMESPathError) -> JSON {
        try Self.render(template, input, maxSteps: maxSteps)
    }

    static func compile(_ node: JSON, path: String) throws(JMESPathError) -> Template {
        switch node {
        case .string(let source):
            do {
                return .expression(try JMESPathExpression(source), path: path)
            } catch {
                throw JMESPathError(error.kind, "\(path): \(error.message)", position: error.position)
            }
        case .array(let items):
            var compiled: [Template] = []
            for (i, item) in items.enumerated() { compiled.append(try compile(item, path: "\(path)[\(i)]")) }
            return .array(compiled)
        case .object(let object):
            var compiled: [(String, Template)] = []
            for (key, value) in object { compiled.append((key, try compile(value, path: "\(path).\(key)"))) }
            return .object(compiled)
        default:
            return .constant(node)
        }
    }

    static func render(_ template: Template, _ input: JSON, maxSteps: Int) throws(JMESPathError) -> JSON {
        switch template {
        case .expression(let expression, _): return try expression.search(input, maxSteps: maxSteps)
        case .constant(let value): return value
        case .array(let items):
            var out: [JSON] = []
            for item in items { out.append(try render(item, input, maxSteps: maxSteps)) }
            return .array(out)
        case .object(let pairs):
            var out = JSONObject()
            for (key, value) in pairs { out[key] = try render(value, input, maxSteps: maxSteps) }
            return .object(out)
        }
    }
}
