/// Order-by (`^(…)`): the stable sort of a step's results, or of its tuple stream.
extension Evaluator {
    func evaluateSort(_ expr: Node, _ input: [Value?], _ env: Frame, tuples: Bool = false) throws -> JArray {
        let items = input.compactMap { $0 }
        if items.count <= 1 { return JArray.sequence(items) }
        // the sort keys are evaluated once per item (the comparator would evaluate them n log n times)
        var keys: [[Value?]] = []
        keys.reserveCapacity(items.count)
        for item in items {
            var context: Value? = item
            var frame = env
            if tuples, case .object(let tuple) = item {
                context = tuple["@"]
                frame = Frame.fromTuple(env, tuple)
            }
            keys.append(try expr.sortTerms.map { try evaluate($0.expression, context, frame) })
        }
        var failure: JSONataError?
        func comesAfter(_ a: Int, _ b: Int) -> Bool {
            for (termIndex, term) in expr.sortTerms.enumerated() {
                let aa = keys[a][termIndex], bb = keys[b][termIndex]
                var comparison = 0
                switch (aa, bb) {
                case (nil, nil): continue
                case (nil, _): return true
                case (_, nil): return false
                case (.number(let x)?, .number(let y)?): comparison = x == y ? 0 : (x < y ? -1 : 1)
                case (.string(let x)?, .string(let y)?): comparison = Functions.compareStrings(x, y)
                case (.number?, .string?), (.string?, .number?):
                    failure = failure ?? JSONataError("T2007", position: expr.position, value: aa)
                    return false
                default:
                    let bad: Value? = (aa?.numberValue != nil || aa?.stringValue != nil) ? bb : aa
                    failure = failure ?? JSONataError("T2008", position: expr.position, value: bad)
                    return false
                }
                if comparison == 0 { continue }
                if term.descending { comparison = -comparison }
                return comparison == 1
            }
            return false
        }
        let order = Functions.mergeSort(Array(items.indices), after: comesAfter)
        if let failure { throw failure }
        return JArray.sequence(order.map { items[$0] })
    }
}
