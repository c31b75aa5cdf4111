import Foundation

extension Builtins {
    static func keys(_ value: Value?) -> [String] {
        switch value {
        case .array(let a)?:
            var seen = Set<String>()
            var result: [String] = []
            for item in a.items {
                for key in keys(item) where seen.insert(key).inserted { result.append(key) }
            }
            return result
        case .object(let o)?: return o.keys
        default: return []
        }
    }

    static func spread(_ value: Value?) -> Value? {
        switch value {
        case .array(let a)?:
            var result: Value? = sequence([])
            for item in a.items { result = Functions.append(result, spread(item)) }
            return result
        case .object(let o)?:
            return sequence(o.entries.map { .object(JObject([($0.key, $0.value)])) })
        default:
            return value
        }
    }

    static let collections: [NativeFunction] = [
        NativeFunction("keys", "<x-:a<s>>") { _, args, _ in sequence(keys(arg(args, 0)).map { .string($0) }) },
        NativeFunction("lookup", "<x-s:x>") { _, args, _ in
            Evaluator.lookup(arg(args, 0), arg(args, 1)?.stringValue ?? "")
        },
        NativeFunction("append", "<xx:a>") { _, args, _ in Functions.append(arg(args, 0), arg(args, 1)) },
        NativeFunction("spread", "<x-:a<o>>") { _, args, _ in spread(arg(args, 0)) },
        NativeFunction("merge", "<a<o>:o>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            let result = JObject()
            for case .object(let o) in a.items {
                for (key, value) in o.entries { result[key] = value }
            }
            return .object(result)
        },
        NativeFunction("reverse", "<a:a>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            if a.count <= 1 { return .array(a) }
            return .array(JArray(a.items.reversed()))
        },
        NativeFunction("shuffle", "<a:a>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            if a.count <= 1 { return .array(a) }
            return .array(JArray(a.items.shuffled()))
        },
        NativeFunction("distinct", "<x:x>") { _, args, _ in
            guard let value = arg(args, 0) else { return nil }
            guard case .array(let a) = value, a.count > 1 else { return value }
            var result: [Value] = []
            for item in a.items where !result.contains(where: { Functions.deepEqual($0, item) }) { result.append(item) }
            return .array(JArray(result, sequence: a.isSequence))
        },
        NativeFunction("zip", "<a+>") { _, args, _ in
            let arrays = args.map { $0?.arrayValue?.items ?? [] }
            let length = arrays.map(\.count).min() ?? 0
            return .array(JArray((0..<length).map { i in .array(JArray(arrays.map { $0[i] })) }))
        },
        NativeFunction("clone", "<(oa)-:o>") { _, args, _ in arg(args, 0).map(Functions.deepCopy) },
    ]

    /// Applies the function argument to each item of the array argument (with index and array)
    /// and keeps what `keep` returns for each; $map and $filter differ only in that.
    static func collect(
        _ evaluator: Evaluator, _ args: [Value?], _ call: CallContext,
        keep: (_ item: Value, _ value: Value?) -> Value?
    ) throws -> Value? {
        guard case .array(let a)? = arg(args, 0) else { return nil }
        let function = arg(args, 1)
        let result = JArray.sequence()
        for (index, item) in a.items.enumerated() {
            let value = try evaluator.apply(function, hofArgs(function, item, .number(Double(index)), .array(a)), nil, call.environment)
            if let kept = keep(item, value) { result.append(kept) }
        }
        return .array(result)
    }

    static let higherOrder: [NativeFunction] = [
        NativeFunction("map", "<af>") { evaluator, args, call in
            try collect(evaluator, args, call) { _, value in value }
        },
        NativeFunction("filter", "<af>") { evaluator, args, call in
            try collect(evaluator, args, call) { item, value in Functions.boolean(value) == true ? item : nil }
        },
        NativeFunction("single", "<af?>") { evaluator, args, call in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            let function = arg(args, 1)
            var found: Value?
            for (index, item) in a.items.enumerated() {
                var matches = true
                if function != nil {
                    let value = try evaluator.apply(
                        function, hofArgs(function, item, .number(Double(index)), .array(a)), nil, call.environment)
                    matches = Functions.boolean(value) == true
                }
                guard matches else { continue }
                if found != nil { throw JSONataError("D3138", index: index) }
                found = item
            }
            guard let found else { throw JSONataError("D3139") }
            return found
        },
        NativeFunction("reduce", "<afj?:j>") { evaluator, args, call in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            let function = arg(args, 1)
            let arity = function?.functionValue?.arity ?? 0
            if arity < 2 { throw JSONataError("D3050", index: 1) }
            var result: Value?
            var index = 0
            if let initial = arg(args, 2) {
                result = initial
            } else if !a.isEmpty {
                result = a[0]
                index = 1
            }
            while index < a.count {
                var callArgs: [Value?] = [result, a[index]]
                if arity >= 3 { callArgs.append(.number(Double(index))) }
                if arity >= 4 { callArgs.append(.array(a)) }
                result = try evaluator.apply(function, callArgs, nil, call.environment)
                index += 1
            }
            return result
        },
        NativeFunction("sift", "<o-f?:o>") { evaluator, args, call in
            guard case .object(let o)? = arg(args, 0) else { return nil }
            let function = arg(args, 1)
            let result = JObject()
            for (key, value) in o.entries {
                let keep = try evaluator.apply(function, hofArgs(function, value, .string(key), .object(o)), nil, call.environment)
                if Functions.boolean(keep) == true { result[key] = value }
            }
            return result.isEmpty ? nil : .object(result)
        },
        NativeFunction("each", "<o-f:a>") { evaluator, args, call in
            guard case .object(let o)? = arg(args, 0) else { return nil }
            let function = arg(args, 1)
            let result = JArray.sequence()
            for (key, value) in o.entries {
                let mapped = try evaluator.apply(function, hofArgs(function, value, .string(key), .object(o)), nil, call.environment)
                if let mapped { result.append(mapped) }
            }
            return .array(result)
        },
        NativeFunction("sort", "<af?:a>") { evaluator, args, call in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            if a.count <= 1 { return .array(a) }
            let items = a.items
            if let comparator = arg(args, 1) {
                let sorted = try Functions.mergeSort(items) { x, y in
                    Functions.boolean(try evaluator.apply(comparator, [x, y], nil, call.environment)) == true
                }
                return .array(JArray(sorted))
            }
            if items.allSatisfy({ $0.numberValue != nil }) {
                return .array(JArray(Functions.mergeSort(items) { $0.numberValue! > $1.numberValue! }))
            }
            if items.allSatisfy({ $0.stringValue != nil }) {
                return .array(JArray(Functions.mergeSort(items) { Functions.compareStrings($0.stringValue!, $1.stringValue!) > 0 }))
            }
            throw JSONataError("D3070", index: 1)
        },
    ]
}
