/// Location paths: steps over sequences, tuple streams for focus (`@`), index (`#`) and parent
/// (`%`) bindings, predicates and group-by (order-by: Evaluator+Sort.swift).
extension Evaluator {
    func evaluatePath(_ expr: Node, _ input: Value?, _ env: Frame) throws -> Value? {
        // Field names over objects (`total`, `customer.address.city`: the commonest paths by
        // far) need none of the sequence machinery while every step meets one object. An array
        // on the way takes the general path below, from the start.
        if expr.group == nil, !expr.keepSingletonArray, case .object(let object)? = input,
            expr.steps.allSatisfy(Self.isPlainName), let found = Self.plainNames(expr.steps, from: 0, in: object)
        {
            return found
        }
        // The input of the next step. A step's result is kept as its items (`inputItems`) and
        // turned into `[Value?]` only for a step that needs that form: field steps — most steps
        // of most paths — read the items as they are, instead of copying every value into a new
        // array between steps.
        var inputSequence: [Value?] = []
        var inputItems: [Value]?
        if case .array(let a)? = input, expr.steps[0].kind != .variable {
            inputItems = a.items
        } else {
            inputSequence = [input]
        }
        func materialized() -> [Value?] {
            if let items = inputItems {
                inputSequence = items.map { $0 }
                inputItems = nil
            }
            return inputSequence
        }
        var resultSequence: JArray?
        var isTupleStream = false
        var tupleBindings: JArray?

        for (index, step) in expr.steps.enumerated() {
            if step.tuple { isTupleStream = true }
            if index == 0, step.consarray {
                let context: Value? = input.map { value in
                    if case .array = value { return value }
                    return .array(JArray.sequence([value]))
                }
                let value = try evaluate(step, context, env)
                resultSequence = value?.arrayValue ?? (value.map { JArray.sequence([$0]) })
            } else if isTupleStream {
                tupleBindings = try evaluateTupleStep(step, materialized(), tupleBindings, env)
            } else if let items = inputItems, Self.isPlainName(step) {
                resultSequence = try evaluateFieldStep(step.text, items, isLast: index == expr.steps.count - 1)
            } else {
                resultSequence = try evaluateStep(step, materialized(), env, isLast: index == expr.steps.count - 1)
            }
            if !isTupleStream, resultSequence == nil || resultSequence!.isEmpty { break }
            if step.focus == nil {
                inputItems = resultSequence?.items ?? []
            }
        }

        if isTupleStream {
            let tuples =
                tupleBindings
                ?? {
                    let t = JArray.sequence(); t.tupleStream = true; return t
                }()
            if expr.tuple {
                resultSequence = tuples
            } else {
                let values = JArray.sequence()
                for case .object(let tuple) in tuples.items {
                    if let focus = tuple["@"] { values.append(focus) }
                }
                resultSequence = values
            }
        }

        if expr.keepSingletonArray, var result = resultSequence {
            if result.cons, !result.isSequence {
                result = JArray.sequence([.array(result)])
                resultSequence = result
            }
            result.keepSingleton = true
        }

        if let group = expr.group {
            let source: Value? = (isTupleStream ? tupleBindings : resultSequence).map { .array($0) }
            return try evaluateGroup(group.pairs, literalKeys: group.literalKeys, group.position, source, env)
        }
        return resultSequence.map { .array($0) }
    }

    /// The fast path's walk: the value the names lead to through nested objects (`.some(nil)`
    /// when one is missing: the path is undefined), or nil when a step meets something other
    /// than an object, which the general path must take from the start. An array value is
    /// returned whole, as the last step of a path returns it.
    ///
    /// Recursive rather than a loop reassigning the current object, and `releasenone` (it
    /// releases nothing that existed before the call), so that the intermediate objects are
    /// passed on in place instead of each being retained and released (a grouping evaluates
    /// its key path once per item).
    @_effects(releasenone)
    private static func plainNames(_ steps: [Node], from at: Int, in object: JObject) -> Value?? {
        guard let value = object[steps[at].text] else { return .some(nil) }
        if at == steps.count - 1 { return .some(value) }
        guard case .object(let next) = value else { return nil }
        return plainNames(steps, from: at + 1, in: next)
    }

    /// A step that only looks up a field: no predicate, stage, group, binding or array flag.
    private static func isPlainName(_ step: Node) -> Bool {
        step.kind == .name && !step.tuple && step.stages.isEmpty && step.predicate.isEmpty && step.group == nil && !step.keepArray
            && step.focus == nil && step.index == nil && step.ancestor == nil
    }

    func evaluateStep(_ expr: Node, _ input: [Value?], _ env: Frame, isLast: Bool) throws -> JArray {
        if expr.kind == .sort {
            var result = try evaluateSort(expr, input, env)
            if !expr.stages.isEmpty { result = try evaluateStages(expr.stages, result, env) }
            return result
        }
        // (an absent item has no field: dropping it first gives the same result)
        if Self.isPlainName(expr) { return try evaluateFieldStep(expr.text, input.compactMap { $0 }, isLast: isLast) }
        var results: [Value] = []
        results.reserveCapacity(input.count)
        for item in input {
            var value = try evaluate(expr, item, env)
            for stage in expr.stages {
                if case .filter(let predicate) = stage.kind { value = .array(try evaluateFilter(predicate, value, env)) }
            }
            if let value { results.append(value) }
        }
        if isLast, results.count == 1, case .array(let only) = results[0], !only.isSequence {
            return only
        }
        let sequence = JArray.sequence()
        for value in results {
            if case .array(let a) = value, !a.cons {
                sequence.items.append(contentsOf: a.items)
            } else {
                sequence.append(value)
            }
        }
        return sequence
    }

    /// A field step over each item: the lookup `evaluate` would make, without its dispatch, and
    /// the values flattened straight into the result (a path such as `det.prod.vProd` runs this
    /// for every item of every step). The same result as the general step.
    private func evaluateFieldStep(_ name: String, _ input: [Value], isLast: Bool) throws -> JArray {
        try charge(input.count)
        if input.count == 1 {
            // One item (the first step of most paths): an array it holds becomes the sequence
            // sharing its storage, instead of being copied into a new one value by value.
            guard let value = Self.singleOut(Self.lookup(input[0], name)) else { return JArray.sequence() }
            guard case .array(let a) = value else { return JArray.sequence([value]) }
            if isLast, !a.isSequence { return a }
            return JArray.sequence(a.cons ? [value] : a.items)
        }
        let sequence = JArray.sequence()
        sequence.items.reserveCapacity(input.count)
        var found = 0
        var onlyArray: JArray?
        // By index, not `for item in input`: the loop's copy of each item lived to the end of the
        // body, so it was retained and released around every append.
        for at in input.indices {
            guard let value = Self.singleOut(Self.lookup(input[at], name)) else { continue }
            found += 1
            if case .array(let a) = value {
                if found == 1, !a.isSequence { onlyArray = a }
                if a.cons { sequence.append(value) } else { sequence.items.append(contentsOf: a.items) }
            } else {
                sequence.append(value)
            }
        }
        // The last step of a path returns a single array value whole.
        if isLast, found == 1, let onlyArray { return onlyArray }
        return sequence
    }

    private func newTupleStream() -> JArray {
        let stream = JArray.sequence()
        stream.tupleStream = true
        return stream
    }

    func evaluateTupleStep(_ expr: Node, _ input: [Value?], _ tupleBindings: JArray?, _ env: Frame) throws -> JArray {
        if expr.kind == .sort {
            var result: JArray
            if let tupleBindings {
                result = try evaluateSort(expr, tupleBindings.items.map { $0 }, env, tuples: true)
                result.tupleStream = true
            } else {
                let sorted = try evaluateSort(expr, input, env)
                result = newTupleStream()
                for (index, item) in sorted.items.enumerated() {
                    let tuple = JObject([("@", item)])
                    if let name = expr.index { tuple[name] = .number(Double(index)) }
                    result.append(.object(tuple))
                }
            }
            if !expr.stages.isEmpty { result = try evaluateStages(expr.stages, result, env) }
            return result
        }

        var result = newTupleStream()
        let bindings: [JObject] =
            tupleBindings.map { $0.items.compactMap(\.objectValue) }
            ?? input.map { item in item.map { JObject([("@", $0)]) } ?? JObject() }
        for tuple in bindings {
            let stepEnv = Frame.fromTuple(env, tuple)
            guard let value = try evaluate(expr, tuple["@"], stepEnv) else { continue }
            let values: [Value]
            var isTupleResult = false
            if case .array(let a) = value {
                values = a.items
                isTupleResult = a.tupleStream
            } else {
                values = [value]
            }
            for (index, item) in values.enumerated() {
                let next = tuple.copy()
                if isTupleResult, case .object(let inner) = item {
                    for (key, bound) in inner.entries { next[key] = bound }
                } else {
                    if let focus = expr.focus {
                        next[focus] = item
                    } else {
                        next["@"] = item
                    }
                    if let name = expr.index { next[name] = .number(Double(index)) }
                    if let ancestor = expr.ancestor { next[ancestor.label] = tuple["@"] }
                }
                result.append(.object(next))
            }
        }
        if !expr.stages.isEmpty { result = try evaluateStages(expr.stages, result, env) }
        return result
    }

    func evaluateStages(_ stages: [Node.Stage], _ input: JArray, _ env: Frame) throws -> JArray {
        var result = input
        for stage in stages {
            switch stage.kind {
            case .filter(let predicate):
                result = try evaluateFilter(predicate, .array(result), env)
            case .index(let name):
                for (index, item) in result.items.enumerated() {
                    if case .object(let tuple) = item { tuple[name] = .number(Double(index)) }
                }
            }
        }
        return result
    }

    func evaluateFilter(_ predicate: Node, _ input: Value?, _ env: Frame) throws -> JArray {
        let results = JArray.sequence()
        let items: [Value]
        var isTupleStream = false
        switch input {
        case .array(let a)?:
            items = a.items
            isTupleStream = a.tupleStream
        case let value?: items = [value]
        case nil: items = []
        }
        results.tupleStream = isTupleStream
        if predicate.kind == .number, case .number(let n)? = predicate.literal {
            var index = Int(n.rounded(.down))
            if index < 0 { index += items.count }
            if index >= 0, index < items.count {
                if case .array(let a) = items[index] { return a }
                results.append(items[index])
            }
            return results
        }
        for (index, item) in items.enumerated() {
            var context: Value? = item
            var frame = env
            if isTupleStream, case .object(let tuple) = item {
                context = tuple["@"]
                frame = Frame.fromTuple(env, tuple)
            }
            let value = try evaluate(predicate, context, frame)
            var numbers: [Double]?
            switch value {
            case .number(let n)?: numbers = [n]
            case .array(let a)? where a.items.allSatisfy({ $0.numberValue != nil }):
                numbers = a.items.compactMap(\.numberValue)
            default: numbers = nil
            }
            if let numbers {
                for n in numbers {
                    var position = Int(n.rounded(.down))
                    if position < 0 { position += items.count }
                    if position == index { results.append(item) }
                }
            } else if Functions.boolean(value) == true {
                results.append(item)
            }
        }
        return results
    }

    // MARK: group-by and object constructors

    func evaluateGroup(_ pairs: [(Node, Node)], literalKeys: [String]?, _ position: Int, _ input: Value?, _ env: Frame) throws -> Value? {
        guard case .array(let array)? = input else {
            if let literalKeys { return try constructObject(literalKeys, pairs, input, env) }
            return try constructObject(pairs, position, input, env)
        }
        let reduce = array.tupleStream
        // The items are read where they are (by index), not copied into an array of optionals;
        // an empty array groups once over undefined.
        let items = array.items
        var order: [String] = []
        var groups: [String: (members: [Value], exprIndex: Int)] = [:]
        for at in 0..<max(items.count, 1) {
            let item: Value? = items.isEmpty ? nil : items[at]
            var frame = env
            var context = item
            if reduce, case .object(let tuple)? = item {
                frame = Frame.fromTuple(env, tuple)
                context = tuple["@"]
            }
            for (pairIndex, pair) in pairs.enumerated() {
                let key = try evaluate(pair.0, context, frame)
                guard let key else { continue }
                guard case .string(let name) = key else {
                    throw JSONataError("T1003", position: position, value: key)
                }
                // One hash of the key per item (city names are rarely ASCII, and hashing a
                // non-ASCII string normalizes it first).
                if let group = groups.index(forKey: name) {
                    if groups.values[group].exprIndex != pairIndex { throw JSONataError("D1009", position: position, value: key) }
                    if let item { groups.values[group].members.append(item) }
                } else {
                    groups[name] = (item.map { [$0] } ?? [], pairIndex)
                    order.append(name)
                }
            }
        }

        let result = JObject()
        for key in order {
            let entry = groups[key]!
            let data = Self.appendAll(entry.members)
            var context = data
            var frame = env
            if reduce {
                let tuple = reduceTupleStream(data)
                context = tuple["@"]
                tuple["@"] = nil
                frame = Frame.fromTuple(env, tuple)
            }
            if let value = try evaluate(pairs[entry.exprIndex].1, context, frame) {
                result[key] = value
            }
        }
        return .object(result)
    }

    /// An object constructor over a single context value: every key groups exactly that value.
    private func constructObject(_ pairs: [(Node, Node)], _ position: Int, _ input: Value?, _ env: Frame) throws -> Value? {
        var keyed: [(String, Int)] = []
        keyed.reserveCapacity(pairs.count)
        for (pairIndex, pair) in pairs.enumerated() {
            guard let key = try evaluate(pair.0, input, env) else { continue }
            guard case .string(let name) = key else { throw JSONataError("T1003", position: position, value: key) }
            if keyed.contains(where: { $0.0 == name }) { throw JSONataError("D1009", position: position, value: key) }
            keyed.append((name, pairIndex))
        }
        let result = JObject()
        for (name, pairIndex) in keyed {
            if let value = try evaluate(pairs[pairIndex].1, input, env) { result[name] = value }
        }
        return .object(result)
    }

    /// An object whose keys are distinct string literals: no key to evaluate or compare.
    private func constructObject(_ keys: [String], _ pairs: [(Node, Node)], _ input: Value?, _ env: Frame) throws -> Value? {
        let result = JObject(capacity: keys.count)
        for (at, key) in keys.enumerated() {
            if let value = try evaluate(pairs[at].1, input, env) { result.appendNew(key, value) }
        }
        return .object(result)
    }

    /// `fn.append` folded over a group's members in one pass (appending one by one copies the
    /// array each time).
    static func appendAll(_ members: [Value]) -> Value? {
        guard let first = members.first else { return nil }
        if members.count == 1 { return first }
        // Members that are no arrays (a group of records) are the result as they are: the array
        // shares their storage.
        guard members.contains(where: \.isArray) else { return .array(JArray(members)) }
        var items: [Value] = first.arrayValue?.items ?? [first]
        for member in members.dropFirst() {
            if case .array(let inner) = member { items.append(contentsOf: inner.items) } else { items.append(member) }
        }
        return .array(JArray(items))
    }

    private func reduceTupleStream(_ stream: Value?) -> JObject {
        switch stream {
        case .object(let tuple)?: return tuple.copy()
        case .array(let a)?:
            let result = a.items.first?.objectValue?.copy() ?? JObject()
            for case .object(let tuple) in a.items.dropFirst() {
                for (key, value) in tuple.entries { result[key] = Functions.append(result[key], value) }
            }
            return result
        default: return JObject()
        }
    }
}
