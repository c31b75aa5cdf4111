/// Function calls: evaluation of arguments, signature validation, lambdas with tail-call
/// trampolining, partial application and the `~>` chaining operator.
extension Evaluator {
    private func procedureName(_ procedure: Node) -> String {
        procedure.kind == .path ? (procedure.steps.first?.text ?? "") : procedure.text
    }

    func evaluateFunction(_ expr: Node, _ input: Value?, _ env: Frame, applyTo: Value??) throws -> Value? {
        let procedure = expr.procedure!
        let proc = try evaluate(procedure, input, env)
        if proc == nil, procedure.kind == .path, env.lookup(procedure.steps[0].text) != nil {
            throw JSONataError("T1005", position: expr.position, token: procedure.steps[0].text)
        }
        var args: [Value?] = []
        if let applyTo { args.append(applyTo) }
        for argument in expr.arguments { args.append(try evaluate(argument, input, env)) }
        let name = procedureName(procedure)
        do {
            return try apply(proc, args, input, env)
        } catch var error as JSONataError {
            if error.position == nil { error.position = expr.position }
            if error.token == nil { error.token = name }
            throw error
        }
    }

    /// Applies a function, unwinding tail calls (a lambda whose body ends in a call returns a
    /// thunk instead of growing the stack).
    func apply(_ proc: Value?, _ args: [Value?], _ input: Value?, _ env: Frame) throws -> Value? {
        var result = try applyInner(proc, args, input, env)
        while case .function(let function)? = result, case .lambda(let lambda) = function.body, lambda.isThunk,
            let call = lambda.tailCall
        {
            let next = try evaluate(call.procedure!, lambda.input, lambda.environment)
            var arguments: [Value?] = []
            for argument in call.arguments { arguments.append(try evaluate(argument, lambda.input, lambda.environment)) }
            do {
                result = try applyInner(next, arguments, input, env)
            } catch var error as JSONataError {
                if error.token == nil { error.token = procedureName(call.procedure!) }
                if error.position == nil { error.position = call.position }
                throw error
            }
        }
        return result
    }

    func applyInner(_ proc: Value?, _ args: [Value?], _ input: Value?, _ env: Frame) throws -> Value? {
        guard case .function(let function)? = proc else { throw JSONataError("T1006") }
        var validated = args
        if let signature = function.signature { validated = try signature.validate(args, context: input) }
        switch function.body {
        case .lambda(let lambda):
            return try applyProcedure(lambda, validated)
        case .native(let native):
            return try native.implementation(self, validated, CallContext(input: input, environment: env))
        case .regex(let regex):
            guard case .string(let text)? = validated.first ?? nil else { return nil }
            return try regex.firstMatch(in: text, from: 0, evaluator: self).map { $0.value(regex: regex, text: text) }
        }
    }

    func applyProcedure(_ lambda: Lambda, _ args: [Value?]) throws -> Value? {
        let frame = Frame(parent: lambda.environment)
        for (index, name) in lambda.parameters.enumerated() {
            frame.bind(name, index < args.count ? args[index] : nil)
        }
        switch lambda.body {
        case .expression(let body):
            return try evaluate(body, lambda.input, frame)
        case .native(let native, let names):
            let nativeArgs = names.map { frame.lookup($0) }
            return try native.implementation(self, nativeArgs, CallContext(input: nil, environment: frame))
        }
    }

    func evaluatePartialApplication(_ expr: Node, _ input: Value?, _ env: Frame) throws -> Value? {
        var args: [Value?] = []
        var placeholders = Set<Int>()
        for (index, argument) in expr.arguments.enumerated() {
            if argument.kind == .operator, argument.text == "?" {
                placeholders.insert(index)
                args.append(nil)
            } else {
                args.append(try evaluate(argument, input, env))
            }
        }
        let procedure = expr.procedure!
        let proc = try evaluate(procedure, input, env)
        if proc == nil, procedure.kind == .path, env.lookup(procedure.steps[0].text) != nil {
            throw JSONataError("T1007", position: expr.position, token: procedure.steps[0].text)
        }
        guard case .function(let function)? = proc else {
            throw JSONataError("T1008", position: expr.position, token: procedureName(procedure))
        }
        let target: Lambda
        switch function.body {
        case .lambda(let lambda): target = lambda
        case .native(let native):
            let names = (0..<native.parameterCount).map { "\u{1}\($0)" }
            target = Lambda(
                input: nil, environment: Frame(parent: nil), parameters: names, signature: nil, body: .native(native, names: names))
        case .regex:
            throw JSONataError("T1008", position: expr.position, token: procedureName(procedure))
        }
        let frame = Frame(parent: target.environment)
        var unbound: [String] = []
        for (index, name) in target.parameters.enumerated() {
            if placeholders.contains(index) {
                unbound.append(name)
            } else {
                frame.bind(name, index < args.count ? args[index] : nil)
            }
        }
        return closure(Lambda(input: target.input, environment: frame, parameters: unbound, signature: nil, body: target.body))
    }

    func evaluateApply(_ expr: Node, _ input: Value?, _ env: Frame) throws -> Value? {
        let lhs = try evaluate(expr.lhs!, input, env)
        let rhs = expr.rhs!
        if rhs.kind == .function {
            let result = try evaluateFunction(rhs, input, env, applyTo: .some(lhs))
            if rhs.keepArray, case .array(let a)? = result, a.isSequence { a.keepSingleton = true }
            return result
        }
        let function = try evaluate(rhs, input, env)
        guard case .function? = function else {
            throw JSONataError("T2006", position: expr.position, value: function)
        }
        if case .function? = lhs {
            // function composition: λ($x){ rhs(lhs($x)) }
            let composed = NativeFunction("compose", nil, arity: 1) { evaluator, args, call in
                let inner = try evaluator.apply(lhs, [args.first ?? nil], nil, call.environment)
                return try evaluator.apply(function, [inner], nil, call.environment)
            }
            return .function(JFunction(.native(composed)))
        }
        return try apply(function, [lhs], input, env)
    }
}
