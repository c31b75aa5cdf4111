public import FiscalMixJSON
public import Foundation

/// A compiled JSONata expression (jsonata.org, version 2.x). Compile once; evaluate from any task.
///
/// ```swift
/// let expression = try JSONataExpression("$sum(Account.Order.Product.(Price * Quantity))")
/// let total = try expression.evaluate(document)   // nil when the result is undefined
/// ```
public struct JSONataExpression: Sendable {
    /// Bounds on one evaluation. A hostile expression stops with `U1001` (or `D2014` for an
    /// oversized result) instead of hanging or exhausting the worker.
    public struct Limits: Sendable {
        /// Nested evaluation depth (recursion without tail calls).
        public var maxDepth: Int
        /// Evaluation steps in total, including work inside built-ins and regular expressions.
        public var maxSteps: Int
        /// Items in one generated sequence or characters in one padded string.
        public var maxOutputItems: Int
        /// Wall-clock time.
        public var timeout: DispatchTimeInterval?
        /// Native stack the evaluation may use below where it starts. The default suits the
        /// smallest thread stacks a server runs on (512 KiB); raise it on a thread with a larger
        /// stack for deeper recursion.
        public var maxStackBytes: Int = 384 * 1024

        public init(
            maxDepth: Int = 2_000, maxSteps: Int = 50_000_000, maxOutputItems: Int = 10_000_000,
            timeout: DispatchTimeInterval? = .seconds(10)
        ) {
            self.maxDepth = maxDepth
            self.maxSteps = maxSteps
            self.maxOutputItems = maxOutputItems
            self.timeout = timeout
        }

        public static let `default` = Limits()
    }

    public let source: String
    let ast: Node

    /// Compiles; a syntax error carries its code (`S0xxx`) and position.
    public init(_ source: String) throws(JSONataError) {
        self.source = source
        do {
            ast = try Parser.parse(source)
        } catch let error as JSONataError {
            throw error
        } catch {
            throw JSONataError("S0500", value: .string("\(error)"))
        }
    }

    /// Evaluates against `input` (`nil`: no input at all) with optional variable bindings
    /// (`["rate": .double(0.1)]` is `$rate`). Returns `nil` when the result is undefined.
    public func evaluate(_ input: JSON?, bindings: [String: JSON] = [:], limits: Limits = .default) throws(JSONataError) -> JSON? {
        try evaluate(value: input.map(Value.init), bindings: bindings, limits: limits)
    }

    /// Evaluates against an input converted once (for many evaluations over one large document).
    public func evaluate(_ document: JSONataDocument, bindings: [String: JSON] = [:], limits: Limits = .default) throws(JSONataError) -> JSON? {
        try evaluate(value: document.value, bindings: bindings, limits: limits)
    }

    private func evaluate(value input: Value?, bindings: [String: JSON], limits: Limits) throws(JSONataError) -> JSON? {
        let evaluator = Evaluator(limits: limits)
        defer { evaluator.detachClosures() }
        let root = Frame(parent: nil)
        for (name, value) in bindings { root.bind(name, Value(value)) }
        var value = input
        root.bind("$", value)
        if case .array(let array)? = value {
            let wrapper = JArray.sequence([.array(array)])
            wrapper.outerWrapper = true
            value = .array(wrapper)
        }
        do {
            let result = try evaluator.evaluate(ast, value, root)
            return result.map(\.json)
        } catch let error as JSONataError {
            throw error
        } catch {
            throw JSONataError("D1000", value: .string("\(error)"))
        }
    }
}

/// An input document in the evaluator's own form, converted once and reused across evaluations.
/// Not `Sendable`: evaluation may set flags on its arrays, so one evaluation at a time.
public final class JSONataDocument {
    let value: Value

    public init(_ json: JSON) { value = Value(json) }
}
