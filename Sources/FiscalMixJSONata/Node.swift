/// A node of the syntax tree. The parser builds it; the post-parse pass (`ASTProcessor`) turns
/// `.` chains into paths of steps, attaches predicates, stages, focus/index bindings and parent
/// slots. After compilation the tree is never mutated, so a compiled expression is shared freely.
final class Node: @unchecked Sendable {
    enum Kind: Equatable {
        case path, binary, unary, name, string, number, value, wildcard, descendant, parent
        case condition, coalesce, elvis, block, bind, regex, function, partial, variable, lambda, apply, sort, transform
        case `operator`, end
    }

    var kind: Kind
    /// The token text: operator, name, variable name, or string literal.
    var text: String = ""
    /// A literal's value (string, number, true/false/null).
    var literal: Value?
    var position: Int

    // binary / unary / bind / apply
    var lhs: Node?
    var rhs: Node?
    var expression: Node?
    var expressions: [Node] = []
    /// Object constructor pairs (unary `{` or the group of a step).
    var pairs: [(Node, Node)] = [] {
        didSet { literalKeys = Self.literalKeys(pairs) }
    }
    /// The pairs' keys when every one is a distinct string literal (`{'id': id, 'total': …}`,
    /// the usual mapping): the object is then built without evaluating or checking its keys.
    private(set) var literalKeys: [String]?
    var sortTerms: [SortTerm] = []

    // path
    var steps: [Node] = []
    var keepSingletonArray = false
    var keepArray = false
    var consarray = false
    var tuple = false

    // step decorations
    var predicate: [Stage] = []
    var stages: [Stage] = []
    var group: Group?
    var focus: String?
    var index: String?
    var ancestor: Slot?
    var slot: Slot?
    var seekingParent: [Slot]?

    // function call / lambda
    var procedure: Node?
    var arguments: [Node] = []
    var signature: Signature?
    var body: Node?
    var thunk = false

    // condition / transform
    var condition: Node?
    var then: Node?
    var otherwise: Node?
    var pattern: Node?
    var update: Node?
    var delete: Node?

    // regex
    var regex: RegexLiteral?

    init(_ kind: Kind, text: String = "", position: Int) {
        self.kind = kind
        self.text = text
        self.position = position
    }

    struct SortTerm {
        var descending: Bool
        var expression: Node
    }

    struct Stage {
        enum Kind { case filter(Node), index(String) }
        var kind: Kind
        var position: Int
    }

    final class Group {
        let pairs: [(Node, Node)]
        let literalKeys: [String]?
        let position: Int
        init(pairs: [(Node, Node)], position: Int) {
            self.pairs = pairs
            literalKeys = Node.literalKeys(pairs)
            self.position = position
        }
    }

    static func literalKeys(_ pairs: [(Node, Node)]) -> [String]? {
        var keys: [String] = []
        for (key, _) in pairs {
            guard key.kind == .string, case .string(let name)? = key.literal, !keys.contains(name) else { return nil }
            keys.append(name)
        }
        return keys
    }

    /// A parent (`%`) reference waiting to be bound to the step that produced its ancestor.
    final class Slot {
        var label: String
        var level: Int
        let index: Int
        init(label: String, level: Int, index: Int) {
            self.label = label
            self.level = level
            self.index = index
        }
    }
}
