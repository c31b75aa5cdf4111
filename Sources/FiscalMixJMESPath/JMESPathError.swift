/// A JMESPath error. `kind` uses the compliance suite's names.
public struct JMESPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case syntax, invalidType = "invalid-type", invalidArity = "invalid-arity", unknownFunction = "unknown-function",
            invalidValue = "invalid-value", limitExceeded = "limit-exceeded"
    }

    public let kind: Kind
    public let message: String
    /// Character offset in the expression, for syntax errors.
    public let position: Int?

    public init(_ kind: Kind, _ message: String, position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String {
        "\(kind.rawValue): \(message)" + (position.map { " at position \($0)" } ?? "")
    }
}
