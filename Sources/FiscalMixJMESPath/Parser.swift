import FiscalMixJSON

/// A Pratt parser over the token stream, with the binding powers of the JMESPath reference
/// implementation so that precedence and projection boundaries match it exactly.
struct Parser {
    let tokens: [Token]
    var index = 0
    var depth = 0
    static let maxDepth = 256

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ expression: String) throws(JMESPathError) -> Node {
        var parser = Parser(tokens: try Lexer.tokenize(expression))
        let node = try parser.expression(0)
        guard parser.current.kind == .eof else { throw parser.unexpected() }
        return node
    }

    var current: Token { tokens[index] }
    func lookahead(_ n: Int) -> TokenKind { tokens[min(index + n, tokens.count - 1)].kind }
    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func unexpected() -> JMESPathError { unexpected(current) }

    /// The error for a token the grammar does not allow where it stands (the one just consumed,
    /// or the current one).
    func unexpected(_ token: Token) -> JMESPathError {
        JMESPathError(.syntax, "unexpected \(token.kind == .eof ? "end of expression" : "token")", position: token.position)
    }

    mutating func match(_ kind: TokenKind) throws(JMESPathError) {
        guard current.kind == kind else { throw unexpected() }
        advance()
    }

    static func bindingPower(_ kind: TokenKind) -> Int {
        switch kind {
        case .pipe: 1
        case .or: 2
        case .and: 3
        case .eq, .ne, .lt, .lte, .gt, .gte: 5
        case .flatten: 9
        case .star: 20
        case .filter: 21
        case .dot: 40
        case .not: 45
        case .lbrace: 50
        case .lbracket: 55
        case .lparen: 60
        default: 0
        }
    }

    mutating func expression(_ bindingPower: Int) throws(JMESPathError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw JMESPathError(.limitExceeded, "expression nests too deeply", position: current.position) }
        let token = current
        advance()
        var left = try nud(token)
        while bindingPower < Self.bindingPower(current.kind) {
            let token = current
            advance()
            left = try led(token, left)
        }
        return left
    }

    // MARK: Prefix

    mutating func nud(_ token: Token) throws(JMESPathError) -> Node {
        switch token.kind {
        case .literal(let value): return .literal(value)
        case .rawString(let value): return .literal(.string(value))
        case .identifier(let name):
            if current.kind == .lparen {
                advance()
                return try functionCall(name, position: token.position)
            }
            return .field(name)
        case .quotedIdentifier(let name):
            if current.kind == .lparen {
                throw JMESPathError(.syntax, "a quoted identifier cannot name a function", position: current.position)
            }
            return .field(name)
        case .star:
            return .valueProjection(.current, try projectionRHS(Self.bindingPower(.star)))
        case .filter:
            return try filter(left: .current)
        case .lbrace:
            return try multiSelectHash()
        case .lparen:
            let inner = try expression(0)
            try match(.rparen)
            return inner
        case .flatten:
            return .projection(.flatten(.current), try projectionRHS(Self.bindingPower(.flatten)))
        case .not:
            return .not(try expression(Self.bindingPower(.not)))
        case .lbracket:
            switch current.kind {
            case .number, .colon:
                return try projectIfSlice(.current, try indexExpression())
            case .star where lookahead(1) == .rbracket:
                advance()
                advance()
                return .projection(.current, try projectionRHS(Self.bindingPower(.star)))
            default:
                return try multiSelectList()
            }
        case .at:
            return .current
        case .ampersand:
            return .expref(try expression(0))
        default:
            throw unexpected(token)
        }
    }

    // MARK: Infix

    mutating func led(_ token: Token, _ left: Node) throws(JMESPathError) -> Node {
        switch token.kind {
        case .dot:
            if current.kind == .star {
                advance()
                return .valueProjection(left, try projectionRHS(Self.bindingPower(.dot)))
            }
            return .subexpression(left, try dotRHS(Self.bindingPower(.dot)))
        case .pipe:
            return .pipe(left, try expression(Self.bindingPower(.pipe)))
        case .or:
            return .or(left, try expression(Self.bindingPower(.or)))
        case .and:
            return .and(left, try expression(Self.bindingPower(.and)))
        case .filter:
            return try filter(left: left)
        case .eq, .ne, .lt, .lte, .gt, .gte:
            let op: Node.Comparator
            switch token.kind {
            case .eq: op = .eq
            case .ne: op = .ne
            case .lt: op = .lt
            case .lte: op = .lte
            case .gt: op = .gt
            default: op = .gte
            }
            return .comparator(op, left, try expression(Self.bindingPower(token.kind)))
        case .flatten:
            return .projection(.flatten(left), try projectionRHS(Self.bindingPower(.flatten)))
        case .lbracket:
            switch current.kind {
            case .number, .colon:
                return try projectIfSlice(left, try indexExpression())
            default:
                try match(.star)
                try match(.rbracket)
                return .projection(left, try projectionRHS(Self.bindingPower(.star)))
            }
        case .lparen:
            throw JMESPathError(.syntax, "only a plain identifier can be called as a function", position: token.position)
        default:
            throw unexpected(token)
        }
    }

    // MARK: Pieces

    mutating func functionCall(_ name: String, position: Int) throws(JMESPathError) -> Node {
        var arguments: [Node] = []
        while current.kind != .rparen {
            arguments.append(try expression(0))
            if current.kind == .comma {
                advance()
                if current.kind == .rparen { throw unexpected() }
            } else if current.kind != .rparen {
                throw unexpected()
            }
        }
        try match(.rparen)
        return .function(name, arguments, position: position)
    }

    mutating func filter(left: Node) throws(JMESPathError) -> Node {
        let condition = try expression(0)
        try match(.rbracket)
        let right: Node = current.kind == .flatten ? .current : try projectionRHS(Self.bindingPower(.filter))
        return .filterProjection(left, right, condition: condition)
    }

    mutating func projectIfSlice(_ left: Node, _ right: Node) throws(JMESPathError) -> Node {
        let indexed = Node.indexExpression(left, right)
        if right.isSlice { return .projection(indexed, try projectionRHS(Self.bindingPower(.star))) }
        return indexed
    }

    mutating func indexExpression() throws(JMESPathError) -> Node {
        if current.kind == .colon || lookahead(1) == .colon { return try slice() }
        guard case .number(let value) = current.kind else { throw unexpected() }
        advance()
        try match(.rbracket)
        return .index(value)
    }

    mutating func slice() throws(JMESPathError) -> Node {
        var parts: [Int?] = [nil, nil, nil]
        var position = 0
        while current.kind != .rbracket {
            switch current.kind {
            case .colon:
                position += 1
                guard position < 3 else { throw unexpected() }
                advance()
            case .number(let value):
                guard parts[position] == nil else { throw unexpected() }
                parts[position] = value
                advance()
            default:
                throw unexpected()
            }
        }
        try match(.rbracket)
        return .slice(parts[0], parts[1], parts[2])
    }

    mutating func projectionRHS(_ bindingPower: Int) throws(JMESPathError) -> Node {
        if Self.bindingPower(current.kind) < 10 { return .current }
        switch current.kind {
        case .lbracket, .filter:
            return try expression(bindingPower)
        case .dot:
            advance()
            return try dotRHS(bindingPower)
        default:
            throw unexpected()
        }
    }

    mutating func dotRHS(_ bindingPower: Int) throws(JMESPathError) -> Node {
        switch current.kind {
        case .identifier, .quotedIdentifier, .star:
            return try expression(bindingPower)
        case .lbracket:
            advance()
            return try multiSelectList()
        case .lbrace:
            advance()
            return try multiSelectHash()
        default:
            throw unexpected()
        }
    }

    mutating func multiSelectList() throws(JMESPathError) -> Node {
        var items: [Node] = []
        while true {
            items.append(try expression(0))
            if current.kind == .rbracket { break }
            try match(.comma)
        }
        try match(.rbracket)
        return .multiSelectList(items)
    }

    mutating func multiSelectHash() throws(JMESPathError) -> Node {
        var keys: [String] = []
        var values: [Node] = []
        while true {
            let key: String
            switch current.kind {
            case .identifier(let name), .quotedIdentifier(let name): key = name
            default: throw unexpected()
            }
            advance()
            try match(.colon)
            keys.append(key)
            values.append(try expression(0))
            if current.kind == .comma {
                advance()
            } else if current.kind == .rbrace {
                advance()
                break
            } else {
                throw unexpected()
            }
        }
        return .multiSelectHash(keys: keys, values: values, distinctKeys: Set(keys).count == keys.count)
    }
}
