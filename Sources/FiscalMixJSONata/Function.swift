import Foundation

/// A JSONata function value: a lambda (closure over its environment), a built-in, or a regular
/// expression (which the language treats as a matcher function).
final class JFunction: @unchecked Sendable {
    enum Body {
        case lambda(Lambda)
        case native(NativeFunction)
        case regex(RegexLiteral)
    }

    let body: Body

    init(_ body: Body) { self.body = body }

    var signature: Signature? {
        switch body {
        case .lambda(let lambda): lambda.signature
        case .native(let native): native.signature
        case .regex: nil
        }
    }

    /// How many arguments the function takes (higher-order functions pass the optional index
    /// and array arguments only when the callee takes them).
    var arity: Int {
        switch body {
        case .lambda(let lambda): lambda.parameters.count
        case .native(let native): native.arity
        case .regex: 1
        }
    }

}

/// A closure: parameters, body and the environment it was defined in.
final class Lambda {
    enum Body {
        case expression(Node)
        /// A built-in wrapped by partial application: it is called with all its parameters
        /// (`names`), looked up in the lambda's environment where the bound ones already are.
        case native(NativeFunction, names: [String])
    }

    let input: Value?
    /// Replaced by an empty frame when the evaluation that made the closure ends
    /// (`Evaluator.detachClosures`): a closure bound to a variable of the frame it closes over
    /// (`$f := function(){ … }`) is a reference cycle that would otherwise outlive it.
    var environment: Frame
    let parameters: [String]
    let signature: Signature?
    let body: Body
    let isThunk: Bool
    /// For a thunk: the call in tail position, evaluated by the trampoline.
    var tailCall: Node? { if case .expression(let node) = body, isThunk { return node }; return nil }

    init(input: Value?, environment: Frame, parameters: [String], signature: Signature?, body: Body, isThunk: Bool = false) {
        self.input = input
        self.environment = environment
        self.parameters = parameters
        self.signature = signature
        self.body = body
        self.isThunk = isThunk
    }
}

/// A built-in function.
struct NativeFunction: @unchecked Sendable {
    typealias Implementation = (_ evaluator: Evaluator, _ args: [Value?], _ call: CallContext) throws -> Value?

    let name: String
    let signature: Signature?
    /// The number of arguments higher-order functions pass it (JavaScript's `length`: parameters
    /// before the first optional one with a default).
    let arity: Int
    /// All its parameters, for partial application.
    var parameterCount: Int { signature?.arity ?? arity }
    let implementation: Implementation

    init(_ name: String, _ signature: String?, arity: Int? = nil, _ implementation: @escaping Implementation) {
        self.init(name, compiled: signature.map { try! Signature($0) }, arity: arity, implementation)
    }

    init(_ name: String, compiled signature: Signature?, arity: Int? = nil, _ implementation: @escaping Implementation) {
        self.name = name
        self.signature = signature
        self.arity = arity ?? signature?.arity ?? 0
        self.implementation = implementation
    }
}

/// What a built-in sees of its call: the context value and the caller's environment.
struct CallContext {
    var input: Value?
    var environment: Frame
}

/// A scope of variable bindings. Built-in functions live below the outermost frame, in
/// `Builtins.table`, shared by every evaluation.
final class Frame {
    private var bindings: [String: Value?] = [:]
    let parent: Frame?

    init(parent: Frame?) { self.parent = parent }

    func bind(_ name: String, _ value: Value?) {
        bindings.updateValue(value, forKey: name)
    }

    func lookup(_ name: String) -> Value? {
        var frame: Frame? = self
        while let current = frame {
            if let value = current.bindings[name] { return value }  // bound, possibly to undefined
            frame = current.parent
        }
        if let builtin = Builtins.table[name] { return .function(builtin) }
        return nil
    }

    /// Binds every property of a tuple (focus, index and ancestor variables, `@`).
    static func fromTuple(_ parent: Frame, _ tuple: JObject) -> Frame {
        let frame = Frame(parent: parent)
        for (key, value) in zip(tuple.keys, tuple.values) { frame.bindings[key] = value }
        return frame
    }
}
