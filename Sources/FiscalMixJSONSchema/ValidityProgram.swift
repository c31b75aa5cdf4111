import FiscalMixJSON

/// The compiled nodes lowered once more, for the validity check alone: every keyword becomes an
/// operation whose operands are plain integers — indices of child nodes, spans of the name,
/// child, regex and number tables — held in buffers the program owns.
///
/// Why: a `Keyword` carries arrays, sets, strings and classes, and the check copied one out of
/// the node's list for every keyword of every subschema it visited, retaining and releasing its
/// payload each time; reference counting was over half of a validation's time. An operation
/// is copied for free, and the tables are read in place.
final class ValidityProgram: @unchecked Sendable {  // immutable after init; the buffers are only read
    typealias Span = Range<Int32>

    enum Operation {
        case ref(Int32)
        case allOf(Span), anyOf(Span), oneOf(Span)  // children
        case not(Int32)
        /// Absent branches are -1.
        case conditional(condition: Int32, then: Int32, otherwise: Int32)
        case dependentSchemas(Span)  // names with their children
        case prefixItems(Span)  // children
        case items(child: Int32, from: Int32)
        case contains(child: Int32, min: Int, max: Int?)
        case properties(Span)  // names with their children
        /// Properties that `required` names too: absent fails, present is checked against its
        /// child — one search of the object's keys where the two keywords made two.
        case requiredProperties(Span)  // names with their children
        case patternProperties(Span)  // regexes with their children
        /// `known` spans names (the siblings' `properties`); `knownSet` indexes `sets` when there
        /// are many of them (-1 otherwise); `patterns` spans regexes.
        case additionalProperties(child: Int32, known: Span, knownSet: Int32, patterns: Span)
        case propertyNames(Int32)
        case type(JSONTypes)
        case required(Span)  // names
        case minLength(Int), maxLength(Int), minItems(Int), maxItems(Int), minProperties(Int), maxProperties(Int)
        case pattern(Int32)  // a regex
        case minimum(Int32), maximum(Int32), exclusiveMinimum(Int32), exclusiveMaximum(Int32)  // numbers
        /// A rarer leaf (enum, const, multipleOf, uniqueItems, dependentRequired, format), asked
        /// of the compiled keyword itself.
        case leaf(node: Int32, keyword: Int32)
    }

    struct Node {
        var constant: Bool?
        var operations: Span
    }

    /// Past this many names, `additionalProperties` looks a key up in a set instead of comparing.
    static let linearNames = 12

    let nodes: UnsafeMutableBufferPointer<Node>
    let operations: UnsafeMutableBufferPointer<Operation>
    let children: UnsafeMutableBufferPointer<Int32>
    let names: UnsafeMutableBufferPointer<String>
    /// The child of the name at the same index (properties, dependentSchemas); -1 for names that
    /// have none (required, known property names).
    let nameChildren: UnsafeMutableBufferPointer<Int32>
    let regexes: UnsafeMutableBufferPointer<SchemaRegex>
    let regexChildren: UnsafeMutableBufferPointer<Int32>
    let numbers: UnsafeMutableBufferPointer<JSONNumber>
    let sets: [Set<String>]

    init(_ compiled: [SchemaNode]) {
        var builder = Builder()
        for node in compiled { builder.lower(node) }
        nodes = .copy(builder.nodes)
        operations = .copy(builder.operations)
        children = .copy(builder.children)
        names = .copy(builder.names)
        nameChildren = .copy(builder.nameChildren)
        regexes = .copy(builder.regexes)
        regexChildren = .copy(builder.regexChildren)
        numbers = .copy(builder.numbers)
        sets = builder.sets
    }

    deinit {
        nodes.free()
        operations.free()
        children.free()
        names.free()
        nameChildren.free()
        regexes.free()
        regexChildren.free()
        numbers.free()
    }

    /// Collects the tables while lowering.
    struct Builder {
        var nodes: [Node] = []
        var operations: [Operation] = []
        var children: [Int32] = []
        var names: [String] = []
        var nameChildren: [Int32] = []
        var regexes: [SchemaRegex] = []
        var regexChildren: [Int32] = []
        var numbers: [JSONNumber] = []
        var sets: [Set<String>] = []

        mutating func lower(_ node: SchemaNode) {
            let first = Int32(operations.count)
            // `required` and `properties` side by side (most object schemas): the names in both
            // become one operation, so each is looked up once.
            var required: Set<String> = []
            var declared: Set<String> = []
            for keyword in node.keywords {
                if case .required(let names) = keyword { required.formUnion(names) }
                if case .properties(let pairs) = keyword { declared.formUnion(pairs.map(\.0)) }
            }
            let merged = required.intersection(declared)
            for (at, keyword) in node.keywords.enumerated() {
                switch keyword {
                case .required(let names) where !merged.isEmpty:
                    let rest = names.filter { !merged.contains($0) }
                    if !rest.isEmpty { operations.append(.required(span(rest.map { ($0, -1) }))) }
                case .properties(let pairs) where !merged.isEmpty:
                    let both = pairs.filter { merged.contains($0.0) }, optional = pairs.filter { !merged.contains($0.0) }
                    operations.append(.requiredProperties(span(both)))
                    if !optional.isEmpty { operations.append(.properties(span(optional))) }
                default:
                    operations.append(operation(keyword, node: Int32(nodes.count), at: Int32(at)))
                }
            }
            nodes.append(Node(constant: node.constant, operations: first..<Int32(operations.count)))
        }

        mutating func operation(_ keyword: Keyword, node: Int32, at: Int32) -> Operation {
            switch keyword {
            case .ref(let target): return .ref(Int32(target))
            case .allOf(let c): return .allOf(span(c))
            case .anyOf(let c): return .anyOf(span(c))
            case .oneOf(let c): return .oneOf(span(c))
            case .not(let c): return .not(Int32(c))
            case .conditional(let condition, let then, let otherwise):
                return .conditional(condition: Int32(condition), then: Int32(then ?? -1), otherwise: Int32(otherwise ?? -1))
            case .dependentSchemas(let pairs): return .dependentSchemas(span(pairs))
            case .prefixItems(let c): return .prefixItems(span(c))
            case .items(let child, let prefixCount): return .items(child: Int32(child), from: Int32(prefixCount))
            case .contains(let child, let minimum, let maximum): return .contains(child: Int32(child), min: minimum, max: maximum)
            case .properties(let pairs): return .properties(span(pairs))
            case .patternProperties(let pairs):
                let first = Int32(regexes.count)
                regexes += pairs.map(\.0)
                regexChildren += pairs.map { Int32($0.1) }
                return .patternProperties(first..<Int32(regexes.count))
            case .additionalProperties(let child, let known, let patterns):
                let knownNames = span(known.sorted().map { ($0, -1) })
                var knownSet: Int32 = -1
                if known.count > ValidityProgram.linearNames {
                    sets.append(known)
                    knownSet = Int32(sets.count - 1)
                }
                let first = Int32(regexes.count)
                regexes += patterns
                regexChildren += patterns.map { _ in -1 }
                return .additionalProperties(child: Int32(child), known: knownNames, knownSet: knownSet, patterns: first..<Int32(regexes.count))
            case .propertyNames(let child): return .propertyNames(Int32(child))
            case .type(let types): return .type(types)
            case .required(let required): return .required(span(required.map { ($0, -1) }))
            case .minLength(let n): return .minLength(n)
            case .maxLength(let n): return .maxLength(n)
            case .minItems(let n): return .minItems(n)
            case .maxItems(let n): return .maxItems(n)
            case .minProperties(let n): return .minProperties(n)
            case .maxProperties(let n): return .maxProperties(n)
            case .pattern(let regex):
                regexes.append(regex)
                regexChildren.append(-1)
                return .pattern(Int32(regexes.count - 1))
            case .minimum(let n): return .minimum(number(n))
            case .maximum(let n): return .maximum(number(n))
            case .exclusiveMinimum(let n): return .exclusiveMinimum(number(n))
            case .exclusiveMaximum(let n): return .exclusiveMaximum(number(n))
            case .enumeration, .constant, .multipleOf, .uniqueItems, .dependentRequired, .format,
                .dynamicRef, .unevaluatedItems, .unevaluatedProperties:
                // (The last three never reach the check: `JSONSchema` evaluates their schemas fully.)
                return .leaf(node: node, keyword: at)
            }
        }

        mutating func span(_ nodes: [Int]) -> Span {
            let first = Int32(children.count)
            children += nodes.map { Int32($0) }
            return first..<Int32(children.count)
        }

        mutating func span(_ pairs: [(String, Int)]) -> Span {
            let first = Int32(names.count)
            names += pairs.map(\.0)
            nameChildren += pairs.map { Int32($0.1) }
            return first..<Int32(names.count)
        }

        mutating func number(_ n: JSONNumber) -> Int32 {
            numbers.append(n)
            return Int32(numbers.count - 1)
        }
    }
}

extension UnsafeMutableBufferPointer {
    fileprivate static func copy(_ elements: [Element]) -> Self {
        let buffer = allocate(capacity: elements.count)
        _ = buffer.initialize(from: elements)
        return buffer
    }

    fileprivate func free() {
        _ = deinitialize()
        deallocate()
    }
}
