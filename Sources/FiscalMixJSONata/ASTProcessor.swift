/// The post-parse pass: flattens `.` chains into paths of steps, attaches predicates, stages,
/// group-by, order-by, focus (`@`) and index (`#`) bindings, resolves parent (`%`) references to
/// the steps that produce their ancestors, and marks tail calls in lambda bodies.
struct ASTProcessor {
    private var ancestorLabel = 0
    private var ancestorIndex = 0
    private var ancestry: [Node] = []
    /// The parser bounds the tree's height; the pass's frames are larger than the parser's, so
    /// it checks the same stack budget too.
    private let stackFloor: UInt

    init(stackFloor: UInt) { self.stackFloor = stackFloor }

    mutating func process(_ expr: Node) throws -> Node {
        guard NativeStack.current() >= stackFloor else {
            throw JSONataError("U1002", position: expr.position, value: String(Parser.maxNesting))
        }
        let result: Node
        switch expr.kind {
        case .binary:
            result = try processBinary(expr)
        case .unary:
            result = Node(.unary, text: expr.text, position: expr.position)
            if expr.text == "[" {
                result.expressions = try expr.expressions.map { item in
                    let value = try process(item)
                    pushAncestry(result, value)
                    return value
                }
            } else if expr.text == "{" {
                result.pairs = try expr.pairs.map { pair in
                    let key = try process(pair.0)
                    pushAncestry(result, key)
                    let value = try process(pair.1)
                    pushAncestry(result, value)
                    return (key, value)
                }
            } else {
                let operand = try process(expr.expression!)
                if expr.text == "-", operand.kind == .number, case .number(let n) = operand.literal {
                    operand.literal = .number(-n)
                    if expr.keepArray { operand.keepArray = true }
                    return operand
                }
                result.expression = operand
                pushAncestry(result, operand)
            }
        case .function, .partial:
            result = Node(expr.kind, text: expr.text, position: expr.position)
            result.arguments = try expr.arguments.map { argument in
                let processed = try process(argument)
                pushAncestry(result, processed)
                return processed
            }
            result.procedure = try process(expr.procedure!)
        case .lambda:
            result = Node(.lambda, position: expr.position)
            result.arguments = expr.arguments
            result.signature = expr.signature
            result.body = tailCallOptimize(try process(expr.body!))
        case .condition:
            result = Node(.condition, position: expr.position)
            result.condition = try process(expr.condition!)
            pushAncestry(result, result.condition!)
            result.then = try process(expr.then!)
            pushAncestry(result, result.then!)
            if let otherwise = expr.otherwise {
                result.otherwise = try process(otherwise)
                pushAncestry(result, result.otherwise!)
            }
        case .coalesce, .elvis:
            result = Node(expr.kind, text: expr.text, position: expr.position)
            result.lhs = try process(expr.lhs!)
            pushAncestry(result, result.lhs!)
            result.rhs = try process(expr.rhs!)
            pushAncestry(result, result.rhs!)
        case .transform:
            result = Node(.transform, position: expr.position)
            result.pattern = try process(expr.pattern!)
            result.update = try process(expr.update!)
            if let delete = expr.delete { result.delete = try process(delete) }
        case .block:
            result = Node(.block, position: expr.position)
            result.expressions = try expr.expressions.map { item in
                let part = try process(item)
                pushAncestry(result, part)
                if part.consarray || (part.kind == .path && part.steps[0].consarray) { result.consarray = true }
                return part
            }
        case .name:
            result = Node(.path, position: expr.position)
            result.steps = [expr]
            if expr.keepArray { result.keepSingletonArray = true }
        case .parent:
            result = Node(.parent, position: expr.position)
            result.slot = Node.Slot(label: "!\(ancestorLabel)", level: 1, index: ancestorIndex)
            ancestorLabel += 1
            ancestorIndex += 1
            ancestry.append(result)
        case .string, .number, .value, .wildcard, .descendant, .variable, .regex:
            result = expr
        case .operator:
            if ["and", "or", "in"].contains(expr.text) {
                expr.kind = .name
                result = try process(expr)
            } else if expr.text == "?" {
                result = expr  // a placeholder in a partial application
            } else {
                throw JSONataError("S0201", position: expr.position, token: expr.text)
            }
        case .end:
            throw JSONataError("S0207", position: expr.position, token: "(end)")
        default:
            throw JSONataError("S0206", position: expr.position, token: expr.text)
        }
        if expr.keepArray { result.keepArray = true }
        return result
    }

    private mutating func processBinary(_ expr: Node) throws -> Node {
        switch expr.text {
        case ".":
            let leftStep = try process(expr.lhs!)
            let result: Node
            if leftStep.kind == .path {
                result = leftStep
            } else {
                result = Node(.path, position: leftStep.position)
                result.steps = [leftStep]
            }
            if leftStep.kind == .parent { result.seekingParent = [leftStep.slot!] }
            let rest = try process(expr.rhs!)
            if rest.kind == .path {
                result.steps.append(contentsOf: rest.steps)
            } else {
                if !rest.predicate.isEmpty {
                    rest.stages = rest.predicate
                    rest.predicate = []
                }
                result.steps.append(rest)
            }
            for step in result.steps {
                if step.kind == .number || step.kind == .value {
                    throw JSONataError("S0213", position: step.position, value: step.literal)
                }
                if step.kind == .string { step.kind = .name }
            }
            if result.steps.contains(where: { $0.keepArray }) { result.keepSingletonArray = true }
            let first = result.steps[0]
            if first.kind == .unary, first.text == "[" { first.consarray = true }
            let last = result.steps[result.steps.count - 1]
            if last.kind == .unary, last.text == "[" { last.consarray = true }
            try resolveAncestry(result)
            return result
        case "[":
            let result = try process(expr.lhs!)
            var step = result
            var usesStages = false
            if result.kind == .path {
                step = result.steps[result.steps.count - 1]
                usesStages = true
            }
            if step.group != nil { throw JSONataError("S0209", position: expr.position) }
            let predicate = try process(expr.rhs!)
            if let seeking = predicate.seekingParent {
                for slot in seeking {
                    if slot.level == 1 { _ = try seekParent(step, slot) } else { slot.level -= 1 }
                }
                pushAncestry(step, predicate)
            }
            let stage = Node.Stage(kind: .filter(predicate), position: expr.position)
            if usesStages { step.stages.append(stage) } else { step.predicate.append(stage) }
            return result
        case "{":
            let result = try process(expr.lhs!)
            if result.group != nil { throw JSONataError("S0210", position: expr.position) }
            result.group = Node.Group(
                pairs: try expr.pairs.map { (try process($0.0), try process($0.1)) }, position: expr.position)
            return result
        case "^":
            var result = try process(expr.lhs!)
            if result.kind != .path {
                let path = Node(.path, position: result.position)
                path.steps = [result]
                result = path
            }
            let sortStep = Node(.sort, position: expr.position)
            sortStep.sortTerms = try expr.sortTerms.map { term in
                let expression = try process(term.expression)
                pushAncestry(sortStep, expression)
                return Node.SortTerm(descending: term.descending, expression: expression)
            }
            result.steps.append(sortStep)
            try resolveAncestry(result)
            return result
        case ":=":
            let result = Node(.bind, text: ":=", position: expr.position)
            result.lhs = try process(expr.lhs!)
            result.rhs = try process(expr.rhs!)
            pushAncestry(result, result.rhs!)
            return result
        case "@":
            let result = try process(expr.lhs!)
            var step = result
            if result.kind == .path { step = result.steps[result.steps.count - 1] }
            if !step.stages.isEmpty || !step.predicate.isEmpty { throw JSONataError("S0215", position: expr.position) }
            if step.kind == .sort { throw JSONataError("S0216", position: expr.position) }
            if expr.keepArray { step.keepArray = true }
            step.focus = expr.rhs!.text
            step.tuple = true
            return result
        case "#":
            var result = try process(expr.lhs!)
            var step = result
            if result.kind == .path {
                step = result.steps[result.steps.count - 1]
            } else {
                let path = Node(.path, position: result.position)
                path.steps = [result]
                result = path
                if !step.predicate.isEmpty {
                    step.stages = step.predicate
                    step.predicate = []
                }
            }
            if step.stages.isEmpty {
                step.index = expr.rhs!.text
            } else {
                step.stages.append(Node.Stage(kind: .index(expr.rhs!.text), position: expr.position))
            }
            step.tuple = true
            return result
        case "~>":
            let result = Node(.apply, text: "~>", position: expr.position)
            result.lhs = try process(expr.lhs!)
            result.rhs = try process(expr.rhs!)
            return result
        default:
            let result = Node(.binary, text: expr.text, position: expr.position)
            result.lhs = try process(expr.lhs!)
            result.rhs = try process(expr.rhs!)
            pushAncestry(result, result.lhs!)
            pushAncestry(result, result.rhs!)
            return result
        }
    }

    /// Replaces a call in tail position with a thunk the trampoline in `apply` unwinds.
    private func tailCallOptimize(_ expr: Node) -> Node {
        if expr.kind == .function, expr.predicate.isEmpty {
            let thunk = Node(.lambda, position: expr.position)
            thunk.thunk = true
            thunk.body = expr
            return thunk
        }
        if expr.kind == .condition {
            expr.then = tailCallOptimize(expr.then!)
            if let otherwise = expr.otherwise { expr.otherwise = tailCallOptimize(otherwise) }
        } else if expr.kind == .block, let last = expr.expressions.last {
            expr.expressions[expr.expressions.count - 1] = tailCallOptimize(last)
        }
        return expr
    }

    private func seekParent(_ node: Node, _ slotIn: Node.Slot) throws -> Node.Slot {
        var slot = slotIn
        switch node.kind {
        case .name, .wildcard:
            slot.level -= 1
            if slot.level == 0 {
                if let existing = node.ancestor {
                    ancestry[slot.index].slot!.label = existing.label
                    node.ancestor = slot
                } else {
                    node.ancestor = slot
                }
                node.tuple = true
            }
        case .parent:
            slot.level += 1
        case .block:
            if let last = node.expressions.last {
                node.tuple = true
                slot = try seekParent(last, slot)
            }
        case .path:
            node.tuple = true
            var index = node.steps.count - 1
            slot = try seekParent(node.steps[index], slot)
            index -= 1
            while slot.level > 0, index >= 0 {
                slot = try seekParent(node.steps[index], slot)
                index -= 1
            }
        default:
            throw JSONataError("S0217", position: node.position, token: "\(node.kind)")
        }
        return slot
    }

    private func pushAncestry(_ result: Node, _ value: Node) {
        guard value.seekingParent != nil || value.kind == .parent else { return }
        var slots = value.seekingParent ?? []
        if value.kind == .parent { slots.append(value.slot!) }
        if result.seekingParent == nil { result.seekingParent = slots } else { result.seekingParent!.append(contentsOf: slots) }
    }

    private func resolveAncestry(_ path: Node) throws {
        var index = path.steps.count - 1
        let lastStep = path.steps[index]
        var slots = lastStep.seekingParent ?? []
        if lastStep.kind == .parent { slots.append(lastStep.slot!) }
        for initial in slots {
            var slot = initial
            index = path.steps.count - 2
            while slot.level > 0 {
                if index < 0 {
                    if path.seekingParent == nil { path.seekingParent = [slot] } else { path.seekingParent!.append(slot) }
                    break
                }
                var step = path.steps[index]
                index -= 1
                // contiguous steps that bind the focus are skipped together
                while index >= 0, step.focus != nil, path.steps[index].focus != nil {
                    step = path.steps[index]
                    index -= 1
                }
                slot = try seekParent(step, slot)
            }
        }
    }
}
