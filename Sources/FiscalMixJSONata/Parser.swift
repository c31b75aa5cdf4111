/// A top-down operator-precedence (Pratt) parser for JSONata, producing the raw tree that
/// `ASTProcessor` then turns into paths and steps.
struct Parser {
    private var lexer: Lexer
    private var node: Node
    /// The symbol id of `node`: the operator text, `(name)`, `(literal)`, `(regex)` or `(end)`.
    private var id = ""
    private let length: Int
    /// The height of the tree built so far along the current path: nested sub-expressions plus
    /// operator chains (`1+1+1…` nests to the left). Bounded so that this parser, the
    /// post-parse pass and the evaluator, all recursive, cannot exhaust a thread's stack.
    private var nesting = 0
    private let stackFloor: UInt

    /// The deepest tree an expression may build. Far above what people write; a debug build
    /// parses, processes and evaluates it within a 512 KiB thread stack.
    static let maxNesting = 250
    /// Native stack parsing and processing may use below where they start; less where the
    /// thread's stack ends sooner (NativeStack.floor keeps 64 KiB of it free).
    static let maxStackBytes = 1024 * 1024

    init(_ source: String) {
        lexer = Lexer(source)
        length = source.utf16.count
        node = Node(.end, position: 0)
        stackFloor = NativeStack.floor(budget: Self.maxStackBytes)
    }

    static func parse(_ source: String) throws -> Node {
        var parser = Parser(source)
        try parser.advance()
        let expression = try parser.expression(0)
        if parser.id != "(end)" {
            throw JSONataError("S0201", position: parser.node.position, token: parser.node.text)
        }
        var processor = ASTProcessor(stackFloor: parser.stackFloor)
        let processed = try processor.process(expression)
        if processed.kind == .parent || processed.seekingParent != nil {
            throw JSONataError("S0217", position: processed.position, token: "parent")
        }
        return processed
    }

    private static func leftBindingPower(_ id: String) -> Int {
        switch id {
        case "[", "(", "@", "#": 80
        case ".": 75
        case "{": 70
        case "*", "/", "%": 60
        case "+", "-", "&": 50
        case "=", "<", ">", "!=", "<=", ">=", "~>", "^", "in", "??", "?:": 40
        case "and": 30
        case "or": 25
        case "?": 20
        case ":=": 10
        default: 0
        }
    }

    private static let knownOperators: Set<String> = [
        ".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">",
        "^", "**", "..", ":=", "!=", "<=", ">=", "~>", "and", "or", "in", "&", "??", "?:",
    ]

    private var lbp: Int { Self.leftBindingPower(id) }

    @discardableResult
    private mutating func advance(_ expected: String? = nil, infix: Bool = false) throws -> Node {
        if let expected, id != expected {
            let code = id == "(end)" ? "S0203" : "S0202"
            throw JSONataError(code, position: node.position, token: node.text, value: .string(expected))
        }
        guard let token = try lexer.next(infix: infix) else {
            node = Node(.end, text: "(end)", position: length)
            id = "(end)"
            return node
        }
        switch token.kind {
        case .name, .variable:
            id = "(name)"
            node = Node(token.kind == .name ? .name : .variable, text: token.text, position: token.position)
        case .operator:
            guard Self.knownOperators.contains(token.text) else {
                throw JSONataError("S0204", position: token.position, token: token.text)
            }
            id = token.text
            node = Node(.operator, text: token.text, position: token.position)
        case .string, .number, .value:
            id = "(literal)"
            let kind: Node.Kind = token.kind == .string ? .string : (token.kind == .number ? .number : .value)
            node = Node(kind, text: token.text, position: token.position)
            node.literal = token.literal
        case .regex:
            id = "(regex)"
            node = Node(.regex, position: token.position)
            node.regex = token.regex
        }
        return node
    }

    private mutating func expression(_ rbp: Int) throws -> Node {
        var added = 0
        defer { nesting -= added }
        try deepen(&added)
        var t = node
        var tid = id
        try advance(infix: true)
        var left = try nud(t, id: tid)
        while rbp < lbp {
            t = node
            tid = id
            try deepen(&added)
            try advance()
            left = try led(t, id: tid, left: left)
        }
        return left
    }

    private mutating func deepen(_ added: inout Int) throws {
        nesting += 1
        added += 1
        guard nesting <= Self.maxNesting, NativeStack.current() >= stackFloor else {
            throw JSONataError("U1002", position: node.position, token: node.text, value: String(Self.maxNesting))
        }
    }

    // MARK: prefix position

    private mutating func nud(_ t: Node, id tid: String) throws -> Node {
        switch tid {
        case "(name)", "(literal)", "(regex)":
            return t
        case "and", "or", "in":
            return t  // a keyword used as a field name; the post-parse pass renames it
        case "-":
            t.kind = .unary
            t.expression = try expression(70)
            return t
        case "*":
            t.kind = .wildcard
            return t
        case "**":
            t.kind = .descendant
            return t
        case "%":
            t.kind = .parent
            return t
        case "(":
            var expressions: [Node] = []
            while id != ")" {
                expressions.append(try expression(0))
                if id != ";" { break }
                try advance(";")
            }
            try advance(")", infix: true)
            t.kind = .block
            t.expressions = expressions
            return t
        case "[":
            var items: [Node] = []
            if id != "]" {
                while true {
                    var item = try expression(0)
                    if id == ".." {
                        let range = Node(.binary, text: "..", position: node.position)
                        range.lhs = item
                        try advance("..")
                        range.rhs = try expression(0)
                        item = range
                    }
                    items.append(item)
                    if id != "," { break }
                    try advance(",")
                }
            }
            try advance("]", infix: true)
            t.kind = .unary
            t.expressions = items
            return t
        case "{":
            t.kind = .unary
            t.pairs = try objectPairs()
            return t
        case "|":
            t.kind = .transform
            t.pattern = try expression(0)
            try advance("|")
            t.update = try expression(0)
            if id == "," {
                try advance(",")
                t.delete = try expression(0)
            }
            try advance("|")
            return t
        case "(end)":
            throw JSONataError("S0207", position: t.position, token: "(end)")
        default:
            throw JSONataError("S0211", position: t.position, token: t.text)
        }
    }

    private mutating func objectPairs() throws -> [(Node, Node)] {
        var pairs: [(Node, Node)] = []
        if id != "}" {
            while true {
                let key = try expression(0)
                try advance(":")
                let value = try expression(0)
                pairs.append((key, value))
                if id != "," { break }
                try advance(",")
            }
        }
        try advance("}", infix: true)
        return pairs
    }

    // MARK: infix position

    private mutating func led(_ t: Node, id tid: String, left: Node) throws -> Node {
        switch tid {
        case "(":
            return try functionCall(t, procedure: left)
        case "[":
            if id == "]" {
                // `[]` keeps singleton arrays in the output
                var step: Node? = left
                while let s = step, s.kind == .binary, s.text == "[" { step = s.lhs }
                step?.keepArray = true
                try advance("]")
                return left
            }
            t.kind = .binary
            t.lhs = left
            t.rhs = try expression(0)
            try advance("]", infix: true)
            return t
        case "^":
            try advance("(")
            var terms: [Node.SortTerm] = []
            while true {
                var descending = false
                if id == "<" {
                    try advance("<")
                } else if id == ">" {
                    descending = true
                    try advance(">")
                }
                terms.append(Node.SortTerm(descending: descending, expression: try expression(0)))
                if id != "," { break }
                try advance(",")
            }
            try advance(")")
            t.kind = .binary
            t.lhs = left
            t.sortTerms = terms
            return t
        case "{":
            t.kind = .binary
            t.lhs = left
            t.pairs = try objectPairs()
            return t
        case ":=":
            guard left.kind == .variable else {
                throw JSONataError("S0212", position: left.position, token: left.text)
            }
            t.kind = .binary
            t.lhs = left
            t.rhs = try expression(Self.leftBindingPower(":=") - 1)
            return t
        case "@", "#":
            t.kind = .binary
            t.lhs = left
            t.rhs = try expression(80)
            guard t.rhs?.kind == .variable else {
                throw JSONataError("S0214", position: t.rhs?.position, token: tid)
            }
            return t
        case "??", "?:":
            // `a ?? b`: a unless it is undefined; `a ?: b`: a unless it is falsy
            t.kind = tid == "??" ? .coalesce : .elvis
            t.lhs = left
            t.rhs = try expression(0)
            return t
        case "?":
            t.kind = .condition
            t.condition = left
            t.then = try expression(0)
            if id == ":" {
                try advance(":")
                t.otherwise = try expression(0)
            }
            return t
        default:
            // left-associative binary operators
            t.kind = .binary
            t.lhs = left
            t.rhs = try expression(Self.leftBindingPower(tid))
            return t
        }
    }

    private mutating func functionCall(_ t: Node, procedure left: Node) throws -> Node {
        t.procedure = left
        t.kind = .function
        if id != ")" {
            while true {
                if id == "?" {
                    t.kind = .partial
                    t.arguments.append(node)
                    try advance("?")
                } else {
                    t.arguments.append(try expression(0))
                }
                if id != "," { break }
                try advance(",")
            }
        }
        try advance(")", infix: true)
        guard left.kind == .name, left.text == "function" || left.text == "\u{03BB}" else { return t }
        // a lambda definition
        for (index, argument) in t.arguments.enumerated() where argument.kind != .variable {
            throw JSONataError("S0208", position: argument.position, token: argument.text, value: .number(Double(index + 1)))
        }
        t.kind = .lambda
        if id == "<" {
            let signaturePosition = node.position
            var depth = 1
            var text = "<"
            while depth > 0, id != "{", id != "(end)" {
                let token = try advance()
                if id == ">" { depth -= 1 } else if id == "<" { depth += 1 }
                text += token.kind == .operator ? token.text : (token.literal.map { Functions.displayString($0) } ?? token.text)
            }
            try advance(">")
            do {
                t.signature = try Signature(text)
            } catch var error as JSONataError {
                error.position = signaturePosition + (error.position ?? 0)
                throw error
            }
        }
        try advance("{")
        t.body = try expression(0)
        try advance("}")
        return t
    }
}
