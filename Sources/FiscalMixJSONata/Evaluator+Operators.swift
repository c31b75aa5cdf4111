/// Operators: arithmetic, comparison, boolean, string concatenation, range, inclusion, the array
/// and object constructors, and the transform operator.
extension Evaluator {
    func evaluateBinary(_ expr: Node, _ input: Value?, _ env: Frame) throws -> Value? {
        let lhs = try evaluate(expr.lhs!, input, env)
        let op = expr.text
        if op == "and" || op == "or" {
            let left = Functions.boolean(lhs) ?? false
            if op == "and" {
                guard left else { return .bool(false) }
                return .bool(Functions.boolean(try evaluate(expr.rhs!, input, env)) ?? false)
            }
            if left { return .bool(true) }
            return .bool(Functions.boolean(try evaluate(expr.rhs!, input, env)) ?? false)
        }
        let rhs = try evaluate(expr.rhs!, input, env)
        do {
            switch op {
            case "+", "-", "*", "/", "%": return try numeric(lhs, rhs, op)
            case "=": return lhs == nil || rhs == nil ? .bool(false) : .bool(Functions.deepEqual(lhs!, rhs!))
            case "!=": return lhs == nil || rhs == nil ? .bool(false) : .bool(!Functions.deepEqual(lhs!, rhs!))
            case "<", "<=", ">", ">=": return try compare(lhs, rhs, op)
            case "&":
                let left = try lhs.map { try Functions.string($0) } ?? ""
                let right = try rhs.map { try Functions.string($0) } ?? ""
                return .string(left + right)
            case "..": return try range(lhs, rhs)
            case "in": return .bool(includes(lhs, rhs))
            default: return nil
            }
        } catch var error as JSONataError {
            error.position = expr.position
            error.token = op
            throw error
        }
    }

    private func numeric(_ lhs: Value?, _ rhs: Value?, _ op: String) throws -> Value? {
        if let lhs, lhs.numberValue == nil { throw JSONataError("T2001", value: lhs) }
        if let rhs, rhs.numberValue == nil { throw JSONataError("T2002", value: rhs) }
        guard let a = lhs?.numberValue, let b = rhs?.numberValue else { return nil }
        if !a.isFinite { throw JSONataError("D1001", value: .string(Functions.jsNumber(a))) }
        if !b.isFinite { throw JSONataError("D1001", value: .string(Functions.jsNumber(b))) }
        let result: Double
        switch op {
        case "+": result = a + b
        case "-": result = a - b
        case "*": result = a * b
        case "/": result = a / b
        default: result = a.truncatingRemainder(dividingBy: b)
        }
        return .number(result)
    }

    private func compare(_ lhs: Value?, _ rhs: Value?, _ op: String) throws -> Value? {
        func comparable(_ v: Value?) -> Bool {
            switch v {
            case nil, .string?, .number?: true;
            default: false
            }
        }
        guard comparable(lhs), comparable(rhs) else {
            let bad = (lhs?.stringValue == nil && lhs?.numberValue == nil) ? lhs : rhs
            throw JSONataError("T2010", value: bad)
        }
        guard let lhs, let rhs else { return nil }
        let order: Int
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)): order = Functions.compareStrings(a, b)
        default: throw JSONataError("T2009", value: lhs)
        }
        switch op {
        case "<": return .bool(order < 0)
        case "<=": return .bool(order <= 0)
        case ">": return .bool(order > 0)
        default: return .bool(order >= 0)
        }
    }

    private func range(_ lhs: Value?, _ rhs: Value?) throws -> Value? {
        if let lhs, !Functions.isInteger(lhs) { throw JSONataError("T2003", value: lhs) }
        if let rhs, !Functions.isInteger(rhs) { throw JSONataError("T2004", value: rhs) }
        guard let a = lhs?.numberValue, let b = rhs?.numberValue, a <= b else { return nil }
        let size = b - a + 1
        if size > Double(limits.maxOutputItems) { throw JSONataError("D2014", value: .number(size)) }
        try charge(Int(size))
        let result = JArray.sequence()
        result.items.reserveCapacity(Int(size))
        var item = a
        while item <= b {
            result.append(.number(item))
            item += 1
        }
        return .array(result)
    }

    private func includes(_ lhs: Value?, _ rhs: Value?) -> Bool {
        guard let lhs, let rhs else { return false }
        let candidates = rhs.arrayValue?.items ?? [rhs]
        return candidates.contains { Functions.strictEqual($0, lhs) }
    }

    func evaluateUnary(_ expr: Node, _ input: Value?, _ env: Frame) throws -> Value? {
        switch expr.text {
        case "-":
            guard let value = try evaluate(expr.expression!, input, env) else { return nil }
            guard case .number(let n) = value else {
                throw JSONataError("D1002", position: expr.position, token: "-", value: value)
            }
            return .number(-n)
        case "[":
            var result = JArray()
            for item in expr.expressions {
                guard let value = try evaluate(item, input, env) else { continue }
                if item.kind == .unary, item.text == "[" {
                    result.append(value)
                } else {
                    result = Functions.append(.array(result), value)?.arrayValue ?? result
                }
            }
            if expr.consarray { result.cons = true }
            return .array(result)
        case "{":
            return try evaluateGroup(expr.pairs, literalKeys: expr.literalKeys, expr.position, input, env)
        default:
            return nil
        }
    }

    // MARK: transform  `| pattern | update [, delete] |`

    /// Compiled once: a transform is evaluated for every value it is applied to.
    private static let transformSignature = try! Signature("<(oa):o>")

    func evaluateTransform(_ expr: Node, _ env: Frame) -> Value? {
        let native = NativeFunction("transform", compiled: Self.transformSignature) { evaluator, args, _ in
            guard let object = args.first ?? nil else { return nil }
            let result = Functions.deepCopy(object)
            guard let matches = try evaluator.evaluate(expr.pattern!, result, env) else { return result }
            for match in matches.arrayValue?.items ?? [matches] {
                if let update = try evaluator.evaluate(expr.update!, match, env) {
                    guard case .object(let changes) = update else {
                        throw JSONataError("T2011", position: expr.update!.position, value: update)
                    }
                    if case .object(let target) = match {
                        for (key, value) in changes.entries { target[key] = value }
                    }
                }
                if let deleteExpression = expr.delete, let deletions = try evaluator.evaluate(deleteExpression, match, env) {
                    let names = deletions.arrayValue?.items ?? [deletions]
                    guard names.allSatisfy({ $0.stringValue != nil }) else {
                        throw JSONataError("T2012", position: deleteExpression.position, value: deletions)
                    }
                    if case .object(let target) = match {
                        for case .string(let name) in names { target[name] = nil }
                    }
                }
            }
            return result
        }
        return .function(JFunction(.native(native)))
    }
}
