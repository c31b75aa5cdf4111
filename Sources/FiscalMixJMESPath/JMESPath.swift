public import FiscalMixJSON

/// A compiled JMESPath expression (https://jmespath.org/specification.html). Compile once,
/// search many documents; evaluation is bounded in steps so a hostile expression stops with
/// `limit-exceeded` instead of hanging a worker.
public struct JMESPathExpression: Sendable {
    public let source: String
    let root: Node

    public init(_ source: String) throws(JMESPathError) {
        self.source = source
        self.root = try Parser.parse(source)
    }

    /// Evaluates against `document`. `maxSteps` bounds the work (node visits and elements touched).
    public func search(_ document: JSON, maxSteps: Int = 10_000_000) throws(JMESPathError) -> JSON {
        var interpreter = Interpreter(budget: maxSteps)
        return try interpreter.visit(root, document)
    }
}

/// A value during evaluation: JSON, or an expression reference (`&expr`) passed to a function.
enum Value {
    case json(JSON)
    case expref(Node)
}
