import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Evaluates a compiled tree against an input. One evaluator per evaluation: it carries the
/// budgets (steps, depth, time, native stack) and the evaluation's timestamp (`$now()` is the
/// same everywhere in one evaluation).
final class Evaluator {
    let limits: JSONataExpression.Limits
    let timestamp: Date
    private var steps = 0
    private var depth = 0
    private let deadline: DispatchTime?
    private let stackFloor: UInt
    /// The closures made during this evaluation (not the tail-call thunks, which are never bound
    /// to a variable), detached from their frames when it ends.
    private var closures: [Lambda] = []

    init(limits: JSONataExpression.Limits) {
        self.limits = limits
        timestamp = Date()
        deadline = limits.timeout.map { DispatchTime.now() + $0 }
        stackFloor = NativeStack.current() &- UInt(limits.maxStackBytes)
    }

    // MARK: closures

    /// A function value for a closure made by this evaluation.
    func closure(_ lambda: Lambda) -> Value {
        if !lambda.isThunk { closures.append(lambda) }
        return .function(JFunction(.lambda(lambda)))
    }

    /// Ends the closures made by this evaluation: each gets an empty environment, which breaks
    /// the cycle of a closure bound in the frame it closes over, so the frames, their bindings
    /// and the input they hold are freed. Call it once the result no longer needs them (a result
    /// holds no function: its JSON form renders one as `""`).
    func detachClosures() {
        let detached = Frame(parent: nil)
        for lambda in closures { lambda.environment = detached }
        closures = []
    }

    // MARK: budgets

    @inline(__always)
    private func enter(_ expr: Node) throws {
        steps += 1
        depth += 1
        if depth > limits.maxDepth {
            throw JSONataError("U1001", position: expr.position, token: "depth")
        }
        if steps & 0x3FF == 0 {
            if steps > limits.maxSteps { throw JSONataError("U1001", position: expr.position, token: "steps") }
            if let deadline, DispatchTime.now() > deadline {
                throw JSONataError("U1001", position: expr.position, token: "timeout")
            }
        }
        if depth & 0x7 == 0, NativeStack.current() < stackFloor {
            throw JSONataError("U1001", position: expr.position, token: "stack")
        }
    }

    /// Counts work done inside built-ins (string building, sorting), so that a huge loop in one
    /// call is bounded too.
    func charge(_ units: Int) throws {
        steps += units
        if steps > limits.maxSteps { throw JSONataError("U1001", token: "steps") }
    }

    /// Called as a regular expression makes progress; false when the budget is spent.
    func regexProgress() -> Bool {
        steps += 256
        if steps > limits.maxSteps { return false }
        if let deadline, DispatchTime.now() > deadline { return false }
        return true
    }

    func checkOutputSize(_ count: Int) throws {
        if count > limits.maxOutputItems { throw JSONataError("D2014", value: .number(Double(count))) }
    }

    // MARK: dispatch

    func evaluate(_ expr: Node, _ input: Value?, _ env: Frame) throws -> Value? {
        try enter(expr)
        defer { depth -= 1 }
        var result: Value?
        switch expr.kind {
        case .path: result = try evaluatePath(expr, input, env)
        case .binary: result = try evaluateBinary(expr, input, env)
        case .unary: result = try evaluateUnary(expr, input, env)
        case .name: result = Self.lookup(input, expr.text)
        case .string, .number, .value: result = expr.literal
        case .wildcard: result = evaluateWildcard(input)
        case .descendant: result = evaluateDescendants(input)
        case .parent: result = env.lookup(expr.slot!.label)
        case .condition:
            if Functions.boolean(try evaluate(expr.condition!, input, env)) == true {
                result = try evaluate(expr.then!, input, env)
            } else if let otherwise = expr.otherwise {
                result = try evaluate(otherwise, input, env)
            }
        case .coalesce:
            result = try evaluate(expr.lhs!, input, env)
            if result == nil { result = try evaluate(expr.rhs!, input, env) }
        case .elvis:
            result = try evaluate(expr.lhs!, input, env)
            if Functions.boolean(result) != true { result = try evaluate(expr.rhs!, input, env) }
        case .block:
            let frame = Frame(parent: env)
            for expression in expr.expressions { result = try evaluate(expression, input, frame) }
        case .bind:
            result = try evaluate(expr.rhs!, input, env)
            env.bind(expr.lhs!.text, result)
        case .regex: result = .function(JFunction(.regex(expr.regex!)))
        case .function: result = try evaluateFunction(expr, input, env, applyTo: nil)
        case .variable:
            if expr.text.isEmpty {
                if case .array(let a)? = input, a.outerWrapper, !a.isEmpty { result = a[0] } else { result = input }
            } else {
                result = env.lookup(expr.text)
            }
        case .lambda:
            result = closure(
                Lambda(
                    input: input, environment: env, parameters: expr.arguments.map(\.text), signature: expr.signature,
                    body: .expression(expr.body!), isThunk: expr.thunk))
        case .partial: result = try evaluatePartialApplication(expr, input, env)
        case .apply: result = try evaluateApply(expr, input, env)
        case .sort:
            result = .array(try evaluateSort(expr, Self.items(of: input), env))
        case .transform: result = evaluateTransform(expr, env)
        case .operator, .end: result = nil
        }
        for stage in expr.predicate {
            if case .filter(let predicate) = stage.kind { result = .array(try evaluateFilter(predicate, result, env)) }
        }
        if expr.kind != .path, let group = expr.group {
            result = try evaluateGroup(group.pairs, literalKeys: group.literalKeys, group.position, result, env)
        }
        if case .array(let a)? = result, a.isSequence, !a.tupleStream {
            if expr.keepArray { a.keepSingleton = true }
            return Self.singleOut(result)
        }
        return result
    }

    /// A result sequence as a value: nothing for an empty one, its item for a singleton (unless
    /// the sequence is to be kept as an array), the sequence itself otherwise.
    static func singleOut(_ value: Value?) -> Value? {
        guard case .array(let a)? = value, a.isSequence, !a.tupleStream else { return value }
        if a.isEmpty { return nil }
        return a.count == 1 && !a.keepSingleton ? a[0] : value
    }

    static func items(of value: Value?) -> [Value?] {
        guard let value else { return [nil] }
        if case .array(let a) = value { return a.items.map { $0 } }
        return [value]
    }

    // MARK: names, wildcards, descendants

    /// `releasenone` promises the optimizer that a lookup releases nothing that existed before
    /// the call (it only retains what it returns or appends, and frees only the sequences it
    /// builds), so a caller looking up a name in every item of a sequence need not keep its own
    /// copy of each item alive across the call (invoice summary 69k → 91k evaluations/s, best of
    /// six alternating runs). Keep the promise: no stored reference replaced, no owned argument
    /// consumed.
    @_effects(releasenone)
    static func lookup(_ input: Value?, _ key: String) -> Value? {
        switch input {
        case .array(let a)?:
            let result = JArray.sequence()
            for item in a.items {
                guard let found = lookup(item, key) else { continue }
                if case .array(let inner) = found { result.items.append(contentsOf: inner.items) } else { result.append(found) }
            }
            return .array(result)
        case .object(let o)?:
            return o[key]
        default:
            return nil
        }
    }

    private func evaluateWildcard(_ input: Value?) -> Value? {
        var input = input
        if case .array(let a)? = input, a.outerWrapper, !a.isEmpty { input = a[0] }
        var results = JArray.sequence()
        let values: [Value]
        switch input {
        case .object(let object)?: values = object.entries.map(\.value)
        case .array(let array)?: values = array.items  // an array's members are its properties
        default: return .array(results)
        }
        for value in values {
            if case .array(let a) = value {
                let flat = JArray()
                Self.flatten(a, into: flat)
                if let appended = Functions.append(.array(results), .array(flat))?.arrayValue { results = appended }
            } else {
                results.append(value)
            }
        }
        return .array(results)
    }

    private static func flatten(_ array: JArray, into result: JArray) {
        for item in array.items {
            if case .array(let inner) = item { flatten(inner, into: result) } else { result.append(item) }
        }
    }

    private func evaluateDescendants(_ input: Value?) -> Value? {
        guard let input else { return nil }
        let results = JArray.sequence()
        Self.descend(input, into: results)
        return results.count == 1 ? results[0] : .array(results)
    }

    private static func descend(_ value: Value, into results: JArray) {
        switch value {
        case .array(let a):
            for item in a.items { descend(item, into: results) }
        case .object(let o):
            results.append(value)
            for (_, child) in o.entries { descend(child, into: results) }
        default:
            results.append(value)
        }
    }
}

/// The native stack in use, so that a deeply recursive expression stops with U1001 instead of
/// crashing the process: an evaluation may use `Limits.maxStackBytes` below where it started.
enum NativeStack {
    @inline(__always)
    static func current() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// The lowest address work may reach: `budget` bytes below here, but never closer than
    /// 64 KiB to the end of this thread's stack, wherever on it the work starts. (Reading the
    /// thread's bounds costs a system call, so compiling asks; evaluating, which is hot, does not.)
    static func floor(budget: Int) -> UInt {
        let wanted = current() &- UInt(budget)
        guard let end = threadStackEnd() else { return wanted }
        return max(wanted, end &+ 64 * 1024)
    }

    #if os(Linux)
    /// glibc's `pthread_getattr_np`, which the Glibc module leaves out (a GNU extension).
    @_silgen_name("pthread_getattr_np")
    private static func gnuThreadAttributes(_ thread: pthread_t, _ attributes: UnsafeMutablePointer<pthread_attr_t>) -> Int32
    #endif

    /// The low end of the calling thread's stack, where the platform tells it.
    private static func threadStackEnd() -> UInt? {
        #if os(Linux)
        let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
        defer { attributes.deallocate() }
        guard gnuThreadAttributes(pthread_self(), attributes) == 0 else { return nil }
        defer { pthread_attr_destroy(attributes) }
        var address: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(attributes, &address, &size) == 0, let address else { return nil }
        return UInt(bitPattern: address)
        #else
        return nil
        #endif
    }
}
