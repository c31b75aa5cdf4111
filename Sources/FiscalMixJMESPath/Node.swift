import FiscalMixJSON

/// The abstract syntax tree of a compiled expression.
indirect enum Node: Sendable {
    enum Comparator: Sendable { case eq, ne, lt, lte, gt, gte }

    case current
    case field(String)
    case subexpression(Node, Node)
    case index(Int)
    case slice(Int?, Int?, Int?)
    case indexExpression(Node, Node)
    case projection(Node, Node)
    case valueProjection(Node, Node)
    case flatten(Node)
    case filterProjection(Node, Node, condition: Node)
    case pipe(Node, Node)
    case or(Node, Node)
    case and(Node, Node)
    case not(Node)
    case comparator(Comparator, Node, Node)
    case multiSelectList([Node])
    /// Keys and their expressions in source order; `distinctKeys` when no key repeats (the
    /// object can then be built from the keys as they are; a repeated key keeps its last value).
    case multiSelectHash(keys: [String], values: [Node], distinctKeys: Bool)
    case literal(JSON)
    case expref(Node)
    case function(String, [Node], position: Int)

    var isSlice: Bool { if case .slice = self { return true }; return false }
}
