import Foundation

/// The function library, looked up by name below every evaluation's outermost frame.
enum Builtins {
    static let table: [String: JFunction] = {
        var table: [String: JFunction] = [:]
        for native in strings + numbers + collections + higherOrder + encoding + dateTime + control {
            table[native.name] = JFunction(.native(native))
        }
        return table
    }()

    @inline(__always)
    static func arg(_ args: [Value?], _ index: Int) -> Value? { index < args.count ? args[index] : nil }

    static func sequence(_ items: [Value]) -> Value { .array(JArray.sequence(items)) }

    /// The arguments a higher-order function passes: the value, then index and whole array only
    /// if the callee takes them.
    static func hofArgs(_ function: Value?, _ value: Value?, _ position: Value?, _ whole: Value?) -> [Value?] {
        let arity = function?.functionValue?.arity ?? 1
        var args: [Value?] = [value]
        if arity >= 2 { args.append(position) }
        if arity >= 3 { args.append(whole) }
        return args
    }

    static let control: [NativeFunction] = [
        NativeFunction("error", "<s?:x>") { _, args, _ in
            var error = JSONataError("D3137")
            error.customMessage = arg(args, 0)?.stringValue ?? "$error() function evaluated"
            throw error
        },
        NativeFunction("assert", "<bs?:x>") { _, args, _ in
            if case .bool(true)? = arg(args, 0) { return nil }
            var error = JSONataError("D3141")
            error.customMessage = arg(args, 1)?.stringValue ?? "$assert() statement failed"
            throw error
        },
        NativeFunction("type", "<x:s>") { _, args, _ in
            guard let value = arg(args, 0) else { return nil }
            switch value {
            case .null: return .string("null")
            case .number: return .string("number")
            case .string: return .string("string")
            case .bool: return .string("boolean")
            case .array: return .string("array")
            case .function: return .string("function")
            case .object: return .string("object")
            }
        },
        NativeFunction("boolean", "<x-:b>") { _, args, _ in Functions.boolean(arg(args, 0)).map { .bool($0) } },
        NativeFunction("not", "<x-:b>") { _, args, _ in Functions.boolean(arg(args, 0)).map { .bool(!$0) } },
        NativeFunction("exists", "<x:b>") { _, args, _ in .bool(arg(args, 0) != nil) },
        NativeFunction("eval", "<sx?:x>") { evaluator, args, call in
            guard case .string(let source)? = arg(args, 0) else { return nil }
            var input = call.input
            if let focus = arg(args, 1) {
                input = focus
                if case .array(let a) = focus, !a.isSequence {
                    let wrapper = JArray.sequence([.array(a)])
                    wrapper.outerWrapper = true
                    input = .array(wrapper)
                }
            }
            let ast: Node
            do {
                ast = try Parser.parse(source)
            } catch let error as JSONataError {
                throw JSONataError("D3120", value: .string(error.message))
            }
            do {
                return try evaluator.evaluate(ast, input, call.environment)
            } catch let error as JSONataError {
                throw JSONataError("D3121", value: .string(error.message))
            }
        },
    ]
}
